import { spawn } from "node:child_process";
import { existsSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureHome } from "../../config/home.ts";
import { isNetclawd, isProcessAlive, readPidFile } from "../../config/pid-file.ts";
import { daemonEndpoint } from "../client.ts";
import type { CliContext } from "../context.ts";
import { formatDuration, print, printError } from "../output.ts";

const SUPERVISED =
  "netclawd is owned by the container supervisor (NETCLAW_CONTAINER_SUPERVISOR is set): it starts with the container and is restarted automatically when it exits.";

/** The running daemon's PID from the pid file, if that process is really a netclawd. */
export function runningPid(context: CliContext): number | undefined {
  const info = readPidFile(context.paths.pidFile);
  return info && isNetclawd(info.pid) ? info.pid : undefined;
}

/** `netclaw daemon start`: spawn a detached netclawd and wait until it is ready. */
export async function daemonStart(context: CliContext): Promise<number> {
  if (context.inContainer) {
    print(SUPERVISED);
    print(
      "Check it with `netclaw status`; restart it with `netclaw daemon stop` is not needed — use `docker restart <container>`.",
    );
    return (await isReady(context)) ? 0 : 1;
  }
  const existing = runningPid(context);
  if (existing) {
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
  const spawnedAt = Date.now();
  const consolePath = join(context.paths.logsDir, "netclawd.console.log");
  const consoleOffset = existsSync(consolePath) ? statSync(consolePath).size : 0;
  const console = openSync(consolePath, "a", 0o600);
  const isScript = script.endsWith(".js") || script.endsWith(".ts");
  const child = spawn(isScript ? process.execPath : script, isScript ? [script] : [], {
    detached: true,
    stdio: ["ignore", console, console],
    env: context.env,
    cwd: context.paths.root,
  });
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  child.unref();

  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const reason =
        startupAbortReason(context.paths.logsDir, spawnedAt) ??
        consoleAbortReason(consolePath, consoleOffset);
      printError(
        reason ?? `netclawd exited with code ${exited} during startup; see ${context.paths.logsDir}.`,
      );
      return 1;
    }
    if (await isReady(context)) {
      print(`Daemon started (PID ${child.pid}).`);
      return 0;
    }
    await sleep(50);
  }
  printError(`netclawd (PID ${child.pid}) did not become ready within 15 s; see ${context.paths.logsDir}.`);
  return 1;
}

/** `netclaw daemon stop`: ask the API, then SIGTERM, then SIGKILL after a bounded wait. */
export async function daemonStop(context: CliContext): Promise<number> {
  if (context.inContainer) {
    print(SUPERVISED);
    print("To stop it, stop the container: `docker stop <container>`.");
    return 1;
  }
  const pid = runningPid(context);
  if (!pid) {
    print("Daemon is not running.");
    return 0;
  }
  let asked = false;
  try {
    await context.client({ timeoutMs: 3000 }).post("/api/lifecycle/shutdown?reason=cli-stop");
    asked = true;
  } catch {
    // not answering, or refusing this CLI (no valid device token): SIGTERM drains the same way
  }
  if (!asked || !(await waitForExit(pid, 10_000))) {
    signal(pid, "SIGTERM");
    if (!(await waitForExit(pid, 5_000))) {
      signal(pid, "SIGKILL");
      await waitForExit(pid, 2_000);
    }
  }
  if (isProcessAlive(pid)) {
    printError(`Could not stop netclawd (PID ${pid}).`);
    return 1;
  }
  print(`Daemon stopped (was PID ${pid}).`);
  return 0;
}

/** `netclaw daemon status`: from the pid file, without needing the API. */
export async function daemonStatus(context: CliContext): Promise<number> {
  const info = readPidFile(context.paths.pidFile);
  if (!info || !isNetclawd(info.pid)) {
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

async function isReady(context: CliContext): Promise<boolean> {
  const { url } = daemonEndpoint({ env: context.env, paths: context.paths });
  try {
    const response = await fetch(`${url}/api/health/ready`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The `Daemon startup aborted:` line of the newest crash log written since `since`. */
function startupAbortReason(logsDir: string, since: number): string | undefined {
  try {
    const newest = readdirSync(logsDir)
      .filter((name) => name.startsWith("crash-"))
      .map((name) => join(logsDir, name))
      .filter((path) => statSync(path).mtimeMs >= since - 1000)
      .sort()
      .pop();
    if (!newest) return undefined;
    const lines = readFileSync(newest, "utf8").split("\n");
    return lines.find((line) => line.startsWith("Daemon startup aborted:")) ?? lines[1];
  } catch {
    return undefined;
  }
}

/**
 * The `Daemon startup aborted:` line this start wrote to its console log (from `offset`): a
 * configuration the daemon refuses leaves no crash log, only this line on stderr.
 */
function consoleAbortReason(path: string, offset: number): string | undefined {
  try {
    const text = readFileSync(path).subarray(offset).toString("utf8");
    return text.split("\n").find((line) => line.startsWith("Daemon startup aborted:"));
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(50);
  }
  return !isProcessAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
