import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../store/sqlite.ts";
import { createMemoryStore, type MemoryStore, openMemoryDatabase } from "./memory-store.ts";

export const APP_VERSION = "0.1.0-test";

/** A real memory database in a fresh temp directory, with a manual clock. */
export async function tempMemory(options: { dir?: string; redact?: (text: string) => string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "netclaw-memory-"));
  const path = join(dir, "memory", "netclaw-memory.db");
  const clock = { now: new Date("2026-11-23T12:00:00Z") };
  const database: Store = await openMemoryDatabase({ path, appVersion: APP_VERSION, now: () => clock.now });
  let n = 0;
  const memory: MemoryStore = createMemoryStore({
    store: database,
    now: () => clock.now,
    newId: () => `mem_${String(++n).padStart(5, "0")}`,
    ...(options.redact ? { redact: options.redact } : {}),
  });
  return {
    dir,
    path,
    clock,
    database,
    memory,
    /** Closes the database; `removeDir` also deletes the temp directory. */
    close(removeDir = true) {
      database.close();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
