import type { DatabaseSync } from "node:sqlite";
import { StoreError } from "./store-error.ts";
import type { StoreLogger } from "./store-logger.ts";

export type TransactionOptions = { db: DatabaseSync; logger: StoreLogger; isClosed: () => boolean };

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Builds `Store.transaction`. The outermost call uses BEGIN IMMEDIATE, which takes the write lock up
 * front (waiting up to the busy timeout) instead of failing halfway through with SQLITE_BUSY when
 * another connection writes. Nested calls use numbered SAVEPOINTs, so repository methods that open
 * a transaction compose inside a caller's transaction.
 */
export function createTransaction(options: TransactionOptions) {
  const { db, logger } = options;
  let depth = 0;

  function undo(savepoint: string | undefined): void {
    try {
      if (savepoint) db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      else if (db.isTransaction) db.exec("ROLLBACK");
    } catch (error) {
      // The original error matters more; SQLite has usually rolled back already in this case.
      logger.error({ err: error }, "Rollback failed");
    }
  }

  return function transaction<T>(fn: (db: DatabaseSync) => T): T {
    if (options.isClosed()) {
      throw new StoreError("store_closed", "The store is closed; open it again before using it.");
    }
    const savepoint = depth === 0 ? undefined : `netclaw_sp_${depth}`;
    db.exec(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN IMMEDIATE");
    depth++;
    try {
      const result = fn(db);
      if (isThenable(result)) {
        // An async callback would commit before its awaited work ran: refuse it.
        Promise.resolve(result).catch(() => {});
        throw new StoreError(
          "store_transaction_misuse",
          "transaction() needs a synchronous callback; the work was rolled back. Do the async part before or after the transaction.",
        );
      }
      db.exec(savepoint ? `RELEASE ${savepoint}` : "COMMIT");
      return result;
    } catch (error) {
      undo(savepoint);
      throw error;
    } finally {
      depth--;
    }
  };
}
