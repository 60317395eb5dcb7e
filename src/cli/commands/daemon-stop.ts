import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive, type PidInfo, readPidFile } from "../../config/pid-file.ts";
import type { CliContext } from "../context.ts";
import { probeDaemon } from "../daemon-probe.ts";
import { type DaemonProcess, describeRefusal, inspectDaemonProcess } from "../daemon-process.ts";
import { daemonEndpoint, type Endpoint, homeIdOf } from "../endpoint.ts";
import { print, printError } from "../output.ts";

export const SUPERVISED =
  "netclawd is owned by the container supervisor (NETCLAW_CONTAINER_SUPERVISOR is set): it starts with the container and is restarted automatically when it exits.";

/**
 * `netclaw daemon stop`: asks this home's daemon API to shut down (the request names this home,
 * so another home's daemon on the port refuses it), then SIGTERM, then SIGKILL after bounded
 * waits — but signals only a process verified as this home's netclawd (daemon-process.ts), and
 * verifies again before every signal, since the pid can be reused while we wait. A process that
 * cannot be verified is named and left alone: exit 1. Exit 0 once the daemon is gone.
 */
export async function daemonStop(context: CliContext): Promise<number> {
  if (context.inContainer) {
    print(SUPERVISED);
    print("To stop it, stop the container: `docker stop <container>`.");
    return 1;
  }
  const info = readPidFile(context.paths.pidFile);
  const found = info && inspect(context, info.pid);
  if (!info || !found || found.kind === "gone") {
    print("Daemon is not running.");
    return 0;
  }
  if (found.kind === "ours") return stopVerified(context, info);
  return stopUnverified(context, info, found);
}

/** A verified daemon: the API first, signals when it does not answer, refuses or hangs. */
async function stopVerified(context: CliContext, info: PidInfo): Promise<number> {
  const { pid } = info;
  const asked = await askShutdown(context, info);
  if (!asked.ok || !(await waitForExit(pid, 10_000))) {
    if (signalIfOurs(context, pid, "SIGTERM") && !(await waitForExit(pid, 5_000))) {
      if (signalIfOurs(context, pid, "SIGKILL")) await waitForExit(pid, 2_000);
    }
  }
  const now = inspect(context, pid);
  if (now.kind === "ours") {
    printError(`Could not stop netclawd (PID ${pid}).`);
    return 1;
  }
  print(`Daemon stopped (was PID ${pid}).`);
  return 0;
}

/**
 * A process the CLI may not signal. Its API may still stop it — when what answers at this home's
 * endpoint confirms this home's id *and* this pid (a daemon run as another user, or no /proc).
 */
async function stopUnverified(
  context: CliContext,
  info: PidInfo,
  found: Exclude<DaemonProcess, { kind: "ours" | "gone" }>,
): Promise<number> {
  const endpoint = ownEndpoint(context, info);
  if (found.kind === "unverifiable" && endpoint) {
    const probe = await probeDaemon(endpoint.url, homeIdOf(context.paths));
    if (probe.kind === "ours" && probe.pid === info.pid) {
      const asked = await askShutdown(context, info);
      if (asked.ok && (await waitForExit(info.pid, 10_000))) {
        print(`Daemon stopped (was PID ${info.pid}).`);
        return 0;
      }
      printError(describeRefusal(info.pid, found));
      printError(asked.ok ? "It was asked to shut down through its API but is still running." : asked.why);
      return 1;
    }
  }
  printError(describeRefusal(info.pid, found));
  if (found.kind === "unverifiable")
    printError("Stop it as the user that runs it (e.g. `sudo -u <user> netclaw daemon stop`).");
  else printError(`This home's daemon is not running; ${context.paths.pidFile} is stale.`);
  return 1;
}

/** This home's own daemon: the endpoint it recorded in the pid file, else its configured one. */
function ownEndpoint(context: CliContext, info: PidInfo): Endpoint | undefined {
  const expectHome = homeIdOf(context.paths);
  if (info.endpoint) return { url: info.endpoint, source: "pid file", expectHome };
  try {
    return daemonEndpoint({ env: context.env, paths: context.paths });
  } catch {
    return undefined; // a configuration that does not load: signals only
  }
}

/** POST /api/lifecycle/shutdown to this home's daemon — never to a paired remote endpoint. */
async function askShutdown(
  context: CliContext,
  info: PidInfo,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const endpoint = ownEndpoint(context, info);
  if (!endpoint) return { ok: false, why: "Its API could not be located (the configuration does not load)." };
  try {
    await context.client({ timeoutMs: 3000, endpoint }).post("/api/lifecycle/shutdown?reason=cli-stop");
    return { ok: true };
  } catch (error) {
    // Unreachable, or refusing this CLI (no device token, another home on the port).
    return { ok: false, why: `Its API at ${endpoint.url} refused the stop: ${(error as Error).message}` };
  }
}

function inspect(context: CliContext, pid: number): DaemonProcess {
  return inspectDaemonProcess(pid, { lockFile: context.paths.lockFile });
}

/** Sends `name` only if `pid` is still this home's netclawd. Returns whether it was sent. */
function signalIfOurs(context: CliContext, pid: number, name: NodeJS.Signals): boolean {
  if (inspect(context, pid).kind !== "ours") return false;
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
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
