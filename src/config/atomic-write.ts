import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";

export type AtomicWriteOptions = {
  /** File mode for a new file; an existing file keeps its own mode unless `forceMode` is set. */
  mode?: number;
  /** Apply `mode` even when the file already exists (secrets must stay 0600). */
  forceMode?: boolean;
};

/**
 * Writes `data` to `path` so that readers see either the old or the new content, never a torn
 * file: a temp file in the same directory is written, fsynced, given its mode, then renamed over
 * the target. Throws (and leaves the target untouched) if any step fails.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  let mode = options.mode ?? 0o644;
  if (!options.forceMode) {
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      // New file: use the requested mode.
    }
  }
  const tmp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode); // umask may have narrowed or widened the open() mode
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw error;
  }
}

/** JSON with two-space indentation and a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}
