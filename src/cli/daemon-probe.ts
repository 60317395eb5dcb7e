import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { DAEMON_MISMATCH, DAEMON_PID_HEADER, EXPECT_HOME_HEADER } from "../protocol/daemon-identity.ts";

/** What answers at a daemon endpoint, asked as the daemon of home `homeId`. */
export type Probe =
  | { kind: "ours"; ready: boolean; pid: number | undefined }
  | { kind: "other-home"; message: string }
  | { kind: "foreign"; status: number }
  | { kind: "down" };

/**
 * One anonymous `GET /api/health/ready` sent as the CLI of home `homeId`: this home's netclawd
 * echoes the id and its pid (ready or still starting), another home's refuses with 409
 * `daemon_mismatch`, anything else is foreign. Never throws.
 */
export async function probeDaemon(url: string, homeId: string, timeoutMs = 2000): Promise<Probe> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/health/ready`, {
      headers: { [EXPECT_HOME_HEADER]: homeId },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return { kind: "down" };
  }
  const text = await response.text().catch(() => "");
  if (response.headers.get(EXPECT_HOME_HEADER) === homeId) {
    const pid = Number(response.headers.get(DAEMON_PID_HEADER));
    return {
      kind: "ours",
      ready: response.status === 200,
      pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    };
  }
  if (response.status === 409) {
    const error = parseError(text);
    if (error?.code === DAEMON_MISMATCH) return { kind: "other-home", message: String(error.message) };
  }
  return { kind: "foreign", status: response.status };
}

function parseError(text: string): { code?: unknown; message?: unknown } | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
  } catch {
    return undefined;
  }
}

/** True when `ancestor` is `pid`'s parent or grandparent (a netclawd started through a wrapper). */
export function isChildOf(pid: number, ancestor: number): boolean {
  let current = pid;
  for (let depth = 0; depth < 3; depth++) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${current}/stat`, "utf8");
      current = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      return false;
    }
    if (current === ancestor) return true;
    if (!(current > 1)) return false;
  }
  return false;
}

/** The size of a file now (0 when missing): where netclawd's output of this start begins. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * netclawd's own words about why it stopped: the `Daemon startup aborted:` or `error:` line it
 * wrote to its console log after `offset`, else the newest crash log written since `since`.
 */
export function startupFailureReason(options: {
  consoleLog: string;
  offset: number;
  logsDir: string;
  since: number;
}): string | undefined {
  const lines = readFrom(options.consoleLog, options.offset)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const own =
    lines.find((line) => line.startsWith("Daemon startup aborted:")) ??
    lines.find((line) => line.startsWith("error:"));
  return own ?? crashLogReason(options.logsDir, options.since) ?? lines.at(-1);
}

function readFrom(path: string, offset: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = statSync(path).size;
    const length = Math.max(0, Math.min(size - offset, 64 * 1024));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString("utf8");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The `Daemon startup aborted:` line of the newest crash log written since `since`. */
function crashLogReason(logsDir: string, since: number): string | undefined {
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
