import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { ToolOperations } from "./operations.ts";

/** Expands a leading `~` and resolves `path` against `base`. The same rule the policy applies. */
export function resolveToolPath(base: string, path: string): string {
  const trimmed = path.trim();
  if (trimmed === "~") return homedir();
  if (trimmed.startsWith("~/")) return join(homedir(), trimmed.slice(2));
  return isAbsolute(trimmed) ? resolve(trimmed) : resolve(base, trimmed);
}

/**
 * Writes a text file so that readers never see a torn file: a sibling temp file, then rename.
 * An existing file keeps its permission bits.
 */
export async function writeTextAtomic(options: { ops: ToolOperations; path: string; content: string }) {
  const { ops, path } = options;
  let mode = 0o644;
  try {
    mode = (await ops.fs.stat(path)).mode & 0o777;
  } catch {
    // new file
  }
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    await ops.fs.writeFile(tmp, options.content, { encoding: "utf8", mode, flag: "wx" });
    await ops.fs.rename(tmp, path);
  } catch (error) {
    await ops.fs.rm(tmp, { force: true });
    throw error;
  }
}

/** True when the first bytes contain a NUL: the usual "this is not text" test. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

export function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "is not accessible (permission denied)";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOTDIR") return "is not a directory";
  return (error as Error)?.message ?? String(error);
}
