import { readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "./atomic-write.ts";

export type PidInfo = {
  pid: number;
  startedAt: string;
  /** The loopback URL the daemon listens on: how `status` finds it when the config no longer loads. */
  endpoint?: string;
};

/** `netclaw.pid`: line 1 the PID, line 2 the ISO start time, line 3 (optional) the endpoint. */
export function writePidFile(path: string, info: PidInfo): void {
  const lines = [info.pid, info.startedAt, ...(info.endpoint ? [info.endpoint] : [])];
  writeFileAtomic(path, `${lines.join("\n")}\n`, { mode: 0o644, forceMode: true });
}

/** The recorded PID and start time, or undefined when the file is missing or not ours. */
export function readPidFile(path: string): PidInfo | undefined {
  try {
    const [pid, startedAt, endpoint] = readFileSync(path, "utf8").split("\n");
    const value = Number(pid);
    if (!Number.isInteger(value) || value <= 0) return undefined;
    const url = endpoint?.trim();
    return { pid: value, startedAt: startedAt?.trim() ?? "", ...(url ? { endpoint: url } : {}) };
  } catch {
    return undefined;
  }
}

/** Removes the pid file only if it still names `pid` (a newer daemon may own it already). */
export function removePidFile(path: string, pid: number): void {
  if (readPidFile(path)?.pid === pid) rmSync(path, { force: true });
}

/** True when `pid` is a live process (EPERM means alive but someone else's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when `pid` is alive and is a netclawd (guards against PID reuse after a crash). */
export function isNetclawd(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes("netclawd");
  } catch {
    return true; // no /proc (macOS): trust the liveness check
  }
}
