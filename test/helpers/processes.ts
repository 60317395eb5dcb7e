import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const NETCLAW = join(ROOT, "bin", "netclaw.js");
export const NETCLAWD = join(ROOT, "bin", "netclawd.js");

/** A fresh NETCLAW_HOME; `cleanup` removes it. */
export function tempHome(prefix = "netclaw-test-"): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Temp homes for one test file, all removed by `cleanup` (call it from `after`). */
export function tempHomes(): { home: () => string; cleanup: () => void } {
  const cleanups: (() => void)[] = [];
  return {
    home: () => {
      const created = tempHome();
      cleanups.push(created.cleanup);
      return created.home;
    },
    cleanup: () => {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Only what a test passes, plus PATH and HOME: no developer NETCLAW_* leaks in. The update feed
 * points at a closed loopback port so no test ever talks to the real registry (override it to
 * use a fake registry).
 */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: "C.UTF-8",
    NETCLAW_Daemon__UpdateFeedUrl: "http://127.0.0.1:9",
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export type RunResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
};

/** Runs a node script to completion and collects its output. */
export function runNode(
  script: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return runCommand(process.execPath, [script, ...args], options.env, options);
}

/** Runs any command to completion and collects its output. */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
    // A command that exits before reading its stdin (a usage error) closes the pipe: not a failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<RunResult> {
  return runNode(NETCLAW, args, { env, timeoutMs });
}

export type RunningDaemon = {
  child: ChildProcess;
  url: string;
  port: number;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Spawns `netclawd` and resolves once `/api/health/ready` answers 200 (or rejects if it exits). */
export async function startDaemon(options: {
  env: NodeJS.ProcessEnv;
  port?: number;
  timeoutMs?: number;
  /** A command that runs node in another context, e.g. `["unshare", "-rpf", "--mount-proc", "--kill-child=SIGTERM"]`. */
  prefix?: string[];
  /** Signal `stop` sends; a wrapper that ignores SIGTERM (unshare -f) gets SIGKILL and passes SIGTERM on. */
  stopSignal?: NodeJS.Signals;
  /** The base URL for a daemon not bound to 127.0.0.1. */
  readyUrl?: (port: number) => string;
}): Promise<RunningDaemon> {
  const port = options.port ?? (await freePort());
  const env = { ...options.env, NETCLAW_Daemon__Port: String(port) };
  const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath, NETCLAWD];
  const child = spawn(command!, [...prefixArgs], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const url = options.readyUrl?.(port) ?? `http://127.0.0.1:${port}`;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (done) throw new Error(`netclawd exited during startup: ${stderr}`);
    try {
      if (
        await isOwnReady({ url, home: options.env.NETCLAW_HOME, pid: options.prefix ? undefined : child.pid })
      )
        break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const daemon: RunningDaemon = {
    child,
    url,
    port,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (!done) child.kill(options.stopSignal ?? "SIGTERM");
      return exited;
    },
  };
  return daemon;
}

/**
 * Whether the daemon at `url` is ready *and* is the one of `home` (and `pid`, unless it runs in a
 * pid namespace): on a machine shared by many test runs, a port picked free a moment ago may be
 * taken by another run's daemon, whose 200 must not pass for ours (the issue-12 §3 mistake).
 */
async function isOwnReady(options: { url: string; home?: string; pid?: number }): Promise<boolean> {
  const homeId = options.home ? readHomeIdFile(join(options.home, "config", "home-id")) : undefined;
  if (options.home && !homeId) return false; // the daemon writes it before it listens
  const response = await fetch(`${options.url}/api/health/ready`, {
    headers: homeId ? { "x-netclaw-home": homeId } : {},
    signal: AbortSignal.timeout(500),
  });
  await response.body?.cancel();
  if (response.status !== 200) return false;
  if (homeId && response.headers.get("x-netclaw-home") !== homeId) return false;
  return options.pid === undefined || response.headers.get("x-netclaw-pid") === String(options.pid);
}

function readHomeIdFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `netclawd` expecting it to fail at startup; resolves with its exit and output. */
export function runDaemonToExit(env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<RunResult> {
  return runNode(NETCLAWD, [], { env, timeoutMs });
}
