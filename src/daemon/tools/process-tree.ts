import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { ToolOperations } from "./operations.ts";

export type ProcessOutcome = {
  exitCode: number | null;
  /** Signal that ended the main process, if any. */
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Captured stdout and stderr in arrival order (head + tail when over the capture limit). */
  output: Buffer;
  /** Bytes dropped from the middle because the output exceeded the capture limit. */
  droppedBytes: number;
};

export type RunProcessOptions = {
  ops: ToolOperations;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Bytes kept in memory: half from the start, half from the end. */
  maxCaptureBytes?: number;
};

/**
 * Runs a process in its own session and process group (`detached`), stdin closed, and makes sure
 * nothing it started survives the call: on timeout or abort the whole tree gets SIGTERM, then
 * SIGKILL after the grace period; when the main process exits on its own, whatever it left
 * running in the background (a fork that outlives its parent) is terminated the same way.
 * Resolves once the process is gone; never rejects (a spawn failure resolves with exitCode null
 * and the error text as output).
 */
export function runProcessTree(options: RunProcessOptions): Promise<ProcessOutcome> {
  const grace = options.killGraceMs ?? 2000;
  const capture = createCapture(options.maxCaptureBytes ?? 4 * 1024 * 1024);
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const child = options.ops.spawn(options.file, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const leader = child.pid;
    const finish = () => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const { output, droppedBytes } = capture.result();
      resolve({ exitCode, exitSignal, timedOut, cancelled, output, droppedBytes });
    };
    const terminateTree = () => {
      if (leader === undefined) return;
      signalTree(leader, "SIGTERM");
      // Not cleared by finish(): the pipes may close before a SIGTERM-ignoring child is gone.
      setTimeout(() => signalTree(leader, "SIGKILL"), grace).unref();
    };
    const onAbort = () => {
      if (exitCode === null && exitSignal === null) {
        cancelled = !timedOut;
        terminateTree();
      }
    };
    child.stdout?.on("data", (chunk: Buffer) => capture.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => capture.push(chunk));
    child.on("error", (error) => {
      capture.push(Buffer.from(`Failed to start ${options.file}: ${error.message}\n`));
      finish();
    });
    child.on("exit", (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      // Background children keep the pipes open; end them and stop waiting after the grace.
      // The common case (nothing left) costs one kill(0); the /proc scan for children that left
      // the group runs off the event loop.
      if (leader !== undefined) {
        if (groupAlive(leader)) terminateTree();
        else void treeMembersAsync(leader).then((left) => left.length > 0 && terminateTree());
      }
      const stop = setTimeout(finish, grace + 500);
      timers.push(stop);
    });
    child.on("close", finish);
    const deadline = setTimeout(() => {
      timedOut = true;
      onAbort();
    }, options.timeoutMs);
    timers.push(deadline);
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
  });
}

function groupAlive(leader: number): boolean {
  try {
    process.kill(-leader, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `sig` to the group, the session and every descendant of `leader`. */
export function signalTree(leader: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-leader, sig);
  } catch {
    // group already empty
  }
  for (const pid of treeMembers(leader)) {
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  }
}

/**
 * Live processes belonging to the tree of `leader`: same process group or session (a child that
 * left the group with setpgid stays in the session), or a descendant by parent pid (a child that
 * called setsid while its parent still lives). Linux /proc; elsewhere only the group signal applies.
 */
export function treeMembers(leader: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: [number, string][] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      stats.push([pid, readFileSync(`/proc/${entry}/stat`, "utf8")]);
    } catch {
      // exited meanwhile
    }
  }
  return membersOf(leader, stats);
}

async function treeMembersAsync(leader: number): Promise<number[]> {
  return membersOf(leader, await procSnapshot());
}

let nextSnapshot: Promise<[number, string][]> | undefined;

/**
 * `/proc/<pid>/stat` of every process, read off the event loop. Calls made before a scan starts
 * share it (it starts on the next turn of the loop, after all of them), so a response's 100
 * calls exiting together cost one scan, not 100 — and no caller gets a scan that began before it asked.
 */
function procSnapshot(): Promise<[number, string][]> {
  nextSnapshot ??= new Promise((resolve) => {
    setImmediate(() => {
      nextSnapshot = undefined;
      resolve(readProcStats());
    });
  });
  return nextSnapshot;
}

async function readProcStats(): Promise<[number, string][]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const pids = entries.map(Number).filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  const stats = await Promise.all(
    pids.map((pid) =>
      readFile(`/proc/${pid}/stat`, "utf8").then(
        (stat): [number, string] => [pid, stat],
        () => undefined,
      ),
    ),
  );
  return stats.filter((entry) => entry !== undefined);
}

function membersOf(leader: number, stats: [number, string][]): number[] {
  const parents = new Map<number, number>();
  const members = new Set<number>();
  for (const [pid, stat] of stats) {
    // Fields after the parenthesised command name: state ppid pgrp session …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") continue;
    const ppid = Number(fields[1]);
    parents.set(pid, ppid);
    if (Number(fields[2]) === leader || Number(fields[3]) === leader || pid === leader) members.add(pid);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!members.has(pid) && members.has(ppid)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  return [...members];
}

function createCapture(limit: number) {
  const half = Math.floor(limit / 2);
  const head: Buffer[] = [];
  let headBytes = 0;
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let dropped = 0;
  return {
    push(chunk: Buffer) {
      if (headBytes < half) {
        const take = chunk.subarray(0, half - headBytes);
        head.push(take);
        headBytes += take.length;
        chunk = chunk.subarray(take.length);
      }
      if (chunk.length === 0) return;
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tailBytes > half && tail.length > 0) {
        const first = tail[0]!;
        const excess = tailBytes - half;
        if (first.length <= excess) {
          tail.shift();
          tailBytes -= first.length;
          dropped += first.length;
        } else {
          tail[0] = first.subarray(excess);
          tailBytes -= excess;
          dropped += excess;
        }
      }
    },
    result() {
      const marker = dropped > 0 ? [Buffer.from(`\n[… ${dropped} bytes of output dropped …]\n`)] : [];
      const output = Buffer.concat([...head, ...marker, ...tail]);
      tail = [];
      return { output, droppedBytes: dropped };
    },
  };
}
