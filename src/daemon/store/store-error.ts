import { NetclawError } from "../../protocol/errors.ts";

/**
 * Every failure of the SQLite store. Codes in use:
 * `store_open_failed`, `store_migrations_invalid`, `store_migration_failed`,
 * `store_newer_than_binary`, `store_backup_failed`, `store_transaction_misuse`, `store_closed`.
 */
export class StoreError extends NetclawError {}

/** The SQLite message of a `node:sqlite` error (or any error), without the JS wrapper noise. */
export function sqliteMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
