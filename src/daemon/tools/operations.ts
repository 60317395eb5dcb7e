import { spawn } from "node:child_process";
import * as fsp from "node:fs/promises";

/**
 * Everything a tool touches outside its own memory goes through this object, so the composition
 * root decides what a tool may reach and tests can hand in real operations rooted in temp dirs
 * (no module mocks). `lock` serialises read-modify-write sequences (file_edit) on one path while
 * other tool calls of the same response run in parallel.
 */
export type ToolOperations = {
  fs: Pick<
    typeof fsp,
    | "readFile"
    | "writeFile"
    | "open"
    | "stat"
    | "lstat"
    | "readdir"
    | "readlink"
    | "realpath"
    | "mkdir"
    | "rename"
    | "rm"
  >;
  spawn: typeof spawn;
  fetch: typeof fetch;
  /** Runs `fn` while holding an in-process lock on `key` (an absolute path). */
  lock<T>(key: string, fn: () => Promise<T>): Promise<T>;
};

/** Real operations: node:fs/promises, child_process.spawn and the global fetch. */
export function createToolOperations(overrides: Partial<Pick<ToolOperations, "fetch">> = {}): ToolOperations {
  const tails = new Map<string, Promise<unknown>>();
  return {
    fs: fsp,
    spawn,
    fetch: overrides.fetch ?? fetch,
    async lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const tail = run.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await run;
      } finally {
        // Drop the entry once nobody queued behind us, so the map stays bounded.
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
