import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { isProcessAlive } from "../config/pid-file.ts";

/**
 * What the process a pid file names turned out to be, before the CLI dares to signal it:
 * - `ours`: a netclawd that holds this home's instance lock (netclaw.lock) open — only the
 *   daemon serving this home can, so a reused pid, another home's daemon or a process of the
 *   container's pid namespace seen from the host never qualifies;
 * - `gone`: no such process;
 * - `not-netclawd`: a live process whose command line is not netclawd (the pid was reused);
 * - `other-netclawd`: a netclawd that does not hold this home's lock (another home's);
 * - `unverifiable`: its open files cannot be read (another user's process, no /proc).
 */
export type DaemonProcess =
  | { kind: "ours" }
  | { kind: "gone" }
  | { kind: "not-netclawd"; command: string }
  | { kind: "other-netclawd"; command: string }
  | { kind: "unverifiable"; reason: string };

/** Where /proc is; a parameter only so the macOS branch (no /proc) can be exercised. */
export type ProcOptions = { lockFile: string; procRoot?: string };

/**
 * Inspects `pid` through /proc: its command line and whether one of its open descriptors is
 * `lockFile`. Never throws; never signals. Fails closed: anything it cannot read is
 * `unverifiable`, never `ours`.
 */
export function inspectDaemonProcess(pid: number, options: ProcOptions): DaemonProcess {
  const proc = options.procRoot ?? "/proc";
  if (!isProcessAlive(pid)) return { kind: "gone" };
  let command: string;
  try {
    command = readFileSync(`${proc}/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    if (!isProcessAlive(pid)) return { kind: "gone" };
    return { kind: "unverifiable", reason: `${proc}/${pid} cannot be read on this system` };
  }
  if (command === "" && !isProcessAlive(pid)) return { kind: "gone" };
  if (!command.includes("netclawd")) return { kind: "not-netclawd", command: command || "(no command line)" };
  const held = holdsFile(pid, { proc, file: options.lockFile });
  if (held === undefined) {
    return {
      kind: "unverifiable",
      reason: `the open files of PID ${pid} cannot be read (it runs as ${ownerOf(pid, proc)})`,
    };
  }
  return held ? { kind: "ours" } : { kind: "other-netclawd", command };
}

/** Whether `pid` has `file` open; undefined when its descriptors cannot be listed (EACCES). */
function holdsFile(pid: number, options: { proc: string; file: string }): boolean | undefined {
  let target: string;
  try {
    target = realpathSync(options.file);
  } catch {
    return false; // no lock file: nothing can hold it
  }
  let fds: string[];
  try {
    fds = readdirSync(`${options.proc}/${pid}/fd`);
  } catch {
    return undefined;
  }
  return fds.some((fd) => {
    try {
      return readlinkSync(`${options.proc}/${pid}/fd/${fd}`) === target;
    } catch {
      return false; // closed meanwhile
    }
  });
}

/** "uid N" of a process from /proc/<pid>/status (world-readable), for the refusal message. */
function ownerOf(pid: number, proc: string): string {
  try {
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`${proc}/${pid}/status`, "utf8"))?.[1];
    return uid === undefined ? "another user" : `uid ${uid}`;
  } catch {
    return "another user";
  }
}

/** One sentence on why a process was not signalled, naming what was found. */
export function describeRefusal(
  pid: number,
  found: Exclude<DaemonProcess, { kind: "ours" | "gone" }>,
): string {
  switch (found.kind) {
    case "not-netclawd":
      return `PID ${pid} from netclaw.pid is not netclawd but \`${clip(found.command)}\` (the pid was reused after the daemon exited); it was not signalled.`;
    case "other-netclawd":
      return `PID ${pid} from netclaw.pid is a netclawd (\`${clip(found.command)}\`) that does not hold this home's netclaw.lock, so it serves another home; it was not signalled.`;
    case "unverifiable":
      return `PID ${pid} from netclaw.pid could not be verified as this home's netclawd: ${found.reason}; it was not signalled.`;
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
