import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { ensureHome } from "../../config/home.ts";
import { isNetclawd, readPidFile } from "../../config/pid-file.ts";
import type { CliContext } from "../context.ts";
import { fileSize, isChildOf, type Probe, probeDaemon, startupFailureReason } from "../daemon-probe.ts";
import { inspectDaemonProcess } from "../daemon-process.ts";
import { daemonEndpoint, homeIdOf } from "../endpoint.ts";
import { formatDuration, print, printError } from "../output.ts";
import { SUPERVISED } from "./daemon-stop.ts";

export { daemonStop } from "./daemon-stop.ts";

/**
 * The pid file's PID when that process is some live netclawd: the cautious answer for "may the
 * daemon be running?" (backup restore refuses then). Not proof it is this home's — stop, start
 * and status verify that (daemon-process.ts) before they act or say so.
 */
export function runningPid(context: CliContext): number | undefined {
  const info = readPidFile(context.paths.pidFile);
  return info && isNetclawd(info.pid) ? info.pid : undefined;
}

/** How long `daemon start` waits for its netclawd: generous, a loaded Pi may need a while. */
const START_TIMEOUT_MS = 60_000;

/**
 * `netclaw daemon start`: spawn a detached netclawd and wait until *that process* answers ready
 * for this home (its pid and home id echoed by `/api/health/ready`). If it exits first, print its
 * own words (`Daemon startup aborted: …`, the lock message) and exit 1 — also naming the other
 * home's daemon when one holds the port.
 */
export async function daemonStart(context: CliContext): Promise<number> {
  if (context.inContainer) {
    print(SUPERVISED);
    print(
      "Check it with `netclaw status`; restart it with `netclaw daemon stop` is not needed — use `docker restart <container>`.",
    );
    return (await isReady(context)) ? 0 : 1;
  }
  // Only a process verified as this home's daemon counts; anything else, the lock settles.
  const existing = readPidFile(context.paths.pidFile)?.pid;
  if (existing && inspectDaemonProcess(existing, { lockFile: context.paths.lockFile }).kind === "ours") {
    print(`Daemon already running (PID ${existing}).`);
    return 0;
  }
  const script =
    context.env.NETCLAW_DAEMON_PATH?.trim() ||
    join(import.meta.dirname, "..", "..", "..", "bin", "netclawd.js");
  if (!existsSync(script)) {
    printError(
      "Cannot find netclawd binary. Set NETCLAW_DAEMON_PATH or ensure it is in the same directory as the CLI.",
    );
    return 1;
  }
  try {
    ensureHome(context.paths);
  } catch (error) {
    printError(`error: ${(error as Error).message}`);
    return 1;
  }
  let url: string | undefined;
  try {
    url = daemonEndpoint({ env: context.env, paths: context.paths }).url;
  } catch {
    // A configuration that does not load: netclawd refuses it too and says why, in its own words.
  }
  return awaitOwnDaemon(context, { started: spawnNetclawd(context, script), url });
}

type Spawned = {
  pid: number;
  /** undefined while it runs; its exit code (or null for a signal) once it has exited. */
  exitCode: () => number | null | undefined;
  consoleLog: string;
  /** Where this start's output begins in the console log. */
  offset: number;
  spawnedAt: number;
};

/** Starts netclawd detached, its output appended to logs/netclawd.console.log. */
function spawnNetclawd(context: CliContext, script: string): Spawned {
  const consoleLog = join(context.paths.logsDir, "netclawd.console.log");
  const offset = fileSize(consoleLog);
  const spawnedAt = Date.now();
  const output = openSync(consoleLog, "a", 0o600);
  const isScript = script.endsWith(".js") || script.endsWith(".ts");
  const child = spawn(isScript ? process.execPath : script, isScript ? [script] : [], {
    detached: true,
    stdio: ["ignore", output, output],
    env: context.env,
    cwd: context.paths.root,
  });
  closeSync(output);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  child.unref();
  return { pid: child.pid ?? -1, exitCode: () => exited, consoleLog, offset, spawnedAt };
}

/**
 * Polls until the spawned netclawd (or its child, behind a wrapper) answers ready for this home
 * → exit 0; until it exits → its own words, exit 1; or until the generous timeout → exit 1.
 */
async function awaitOwnDaemon(
  context: CliContext,
  options: { started: Spawned; url: string | undefined },
): Promise<number> {
  const { started, url } = options;
  const homeId = homeIdOf(context.paths);
  let other: string | undefined; // what else answers on the port meanwhile
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const exited = started.exitCode();
    if (exited !== undefined) {
      const reason = startupFailureReason({
        ...started,
        logsDir: context.paths.logsDir,
        since: started.spawnedAt,
      });
      printError(
        reason ?? `netclawd exited with code ${exited} during startup; see ${context.paths.logsDir}.`,
      );
      if (other) printError(other);
      return 1;
    }
    if (url) {
      const probe = await probeDaemon(url, homeId);
      if (isStarted(probe, started.pid)) {
        print(`Daemon started (PID ${probe.pid}).`);
        return 0;
      }
      other = describeOther(url, probe, started.pid);
    }
    await sleep(100);
  }
  printError(
    `netclawd (PID ${started.pid}) did not become ready within ${START_TIMEOUT_MS / 1000} s; it may still be starting — check \`netclaw daemon status\` and ${started.consoleLog}.`,
  );
  if (other) printError(other);
  return 1;
}

function isStarted(probe: Probe, pid: number): probe is Extract<Probe, { kind: "ours" }> & { pid: number } {
  return (
    probe.kind === "ours" &&
    probe.ready &&
    probe.pid !== undefined &&
    (probe.pid === pid || isChildOf(probe.pid, pid))
  );
}

/** A line about a daemon that is not the one just started, for the failure report. */
function describeOther(url: string, probe: Probe, pid: number): string | undefined {
  if (probe.kind === "other-home")
    return `The port is held by another netclaw home's daemon at ${url}: ${probe.message}`;
  if (probe.kind === "foreign")
    return `Something that is not this home's netclawd answers at ${url} (HTTP ${probe.status}).`;
  if (probe.kind === "ours" && probe.pid !== undefined && probe.pid !== pid)
    return `This home's netclawd with PID ${probe.pid} already answers at ${url}.`;
  return undefined;
}

/** `netclaw daemon status`: from the pid file, without needing the API. */
export async function daemonStatus(context: CliContext): Promise<number> {
  const info = readPidFile(context.paths.pidFile);
  const found = info && inspectDaemonProcess(info.pid, { lockFile: context.paths.lockFile });
  if (info && found?.kind === "unverifiable") {
    // Another user's process, or no /proc: never "running" on a guess.
    printError(
      `Daemon status unknown: PID ${info.pid} from netclaw.pid could not be verified as this home's netclawd: ${found.reason}.`,
    );
    printError("`netclaw status` asks the daemon's API instead.");
    return 1;
  }
  if (!info || found?.kind !== "ours") {
    print("Daemon is not running.");
    if (context.inContainer) print(SUPERVISED);
    else print("Start it with `netclaw daemon start`.");
    return 1;
  }
  const started = Date.parse(info.startedAt);
  const uptime = Number.isNaN(started) ? "unknown" : formatDuration((Date.now() - started) / 1000);
  print(`Daemon running (PID ${info.pid}, uptime ${uptime}).`);
  print("Tip: `netclaw status` shows its health, model and endpoint.");
  return 0;
}

/** Whether this home's daemon answers ready (the container case: the supervisor started it). */
async function isReady(context: CliContext): Promise<boolean> {
  try {
    const { url } = daemonEndpoint({ env: context.env, paths: context.paths });
    const probe = await probeDaemon(url, homeIdOf(context.paths));
    return probe.kind === "ours" && probe.ready;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
