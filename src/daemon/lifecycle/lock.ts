import { DatabaseSync } from "node:sqlite";
import { NetclawError } from "../../protocol/errors.ts";

export const LOCK_HELD_MESSAGE =
  "error: Another netclawd instance is already running (lock file held). Exiting.";

export class LockHeldError extends NetclawError {
  constructor() {
    super("lock_held", LOCK_HELD_MESSAGE, { status: 409 });
  }
}

export type InstanceLock = { release(): void };

/**
 * Takes the single-instance lock on `netclaw.lock`. The file is a tiny SQLite database held in
 * exclusive locking mode: SQLite's POSIX advisory lock is released by the kernel when the
 * process dies, `kill -9` included, so a stale lock can never block the next start and there is
 * no PID-reuse guesswork. Throws LockHeldError while another live process holds it.
 */
export function acquireInstanceLock(path: string, pid: number = process.pid): InstanceLock {
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    db.exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=DELETE;");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, acquired_at TEXT NOT NULL)");
    db.exec("DELETE FROM holder");
    db.prepare("INSERT INTO holder (pid, acquired_at) VALUES (?, ?)").run(pid, new Date().toISOString());
    db.exec("COMMIT");
  } catch (error) {
    try {
      db.close();
    } catch {
      // closing a half-open handle
    }
    const message = (error as Error).message;
    if (/locked|busy/i.test(message)) throw new LockHeldError();
    throw error;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}
