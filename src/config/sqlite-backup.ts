import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { backup, DatabaseSync } from "node:sqlite";
import { NetclawError } from "../protocol/errors.ts";

/**
 * A failed database copy (code `store_backup_failed`). Shared by the daemon's pre-migration copy
 * and `netclaw backup create`, which runs in the CLI while the daemon keeps writing.
 */
export class BackupError extends NetclawError {}

function sqliteMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type BackupDatabaseOptions = { destinationPath: string } & (
  | { /** An open connection, e.g. the daemon's own store. */ db: DatabaseSync; sourcePath?: undefined }
  | {
      /** A database file; opened read-only for the copy and closed afterwards. */ sourcePath: string;
      db?: undefined;
    }
);

export type BackupResult = { destinationPath: string; totalPages: number };

// Copy every page in one backup step: other connections writing between steps would make SQLite
// restart the copy, and under a busy daemon that could repeat for ever. One step holds a read
// snapshot for its duration, so the result is a consistent copy even while the daemon writes.
const ALL_PAGES = 2_147_483_647;

function removeQuietly(path: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Saves a consistent copy of a live SQLite database with SQLite's online backup API. The copy is
 * written to a temporary file next to `destinationPath` and renamed into place when complete, so a
 * file at `destinationPath` is always a whole database; it gets the source file's permissions.
 * Refuses to overwrite an existing file. Throws `BackupError` (`store_backup_failed`).
 */
export async function backupDatabase(options: BackupDatabaseOptions): Promise<BackupResult> {
  const { destinationPath } = options;
  const fail = (reason: string, cause?: unknown) =>
    new BackupError("store_backup_failed", `Cannot back up the database to ${destinationPath}: ${reason}`, {
      cause,
    });
  if (existsSync(destinationPath)) {
    throw fail("the file already exists. Choose another path or move the existing file away.");
  }
  let source: DatabaseSync;
  if (options.db) {
    source = options.db;
  } else {
    try {
      source = new DatabaseSync(options.sourcePath, { readOnly: true, timeout: 5000 });
    } catch (error) {
      throw fail(`cannot open ${options.sourcePath}: ${sqliteMessage(error)}.`, error);
    }
  }
  const temporary = join(
    dirname(destinationPath),
    `.${basename(destinationPath)}.${randomBytes(4).toString("hex")}.partial`,
  );
  try {
    const totalPages = await backup(source, temporary, { rate: ALL_PAGES });
    const sourceFile = source.location();
    if (sourceFile) chmodSync(temporary, statSync(sourceFile).mode & 0o777);
    if (existsSync(destinationPath)) throw new Error("the file appeared while the copy was being made");
    renameSync(temporary, destinationPath);
    return { destinationPath, totalPages };
  } catch (error) {
    removeQuietly(temporary);
    throw fail(`${sqliteMessage(error)}. Check free disk space and that the directory is writable.`, error);
  } finally {
    if (!options.db) source.close();
  }
}

/** ISO 8601 basic format in UTC with milliseconds, safe in file names: `20260102T030405.678Z`. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "");
}

/** `<db>.pre-migration-v<from>-<UTC timestamp>.bak`, the copy saved before migrating a database. */
export function preMigrationBackupPath(options: { dbPath: string; fromVersion: number; at: Date }): string {
  return `${options.dbPath}.pre-migration-v${options.fromVersion}-${fileTimestamp(options.at)}.bak`;
}

export type PreMigrationBackup = { path: string; fromVersion: number; timestamp: string };

/** The pre-migration copies of `dbPath` found next to it, newest first. */
export function findPreMigrationBackups(dbPath: string): PreMigrationBackup[] {
  const prefix = `${basename(dbPath)}.pre-migration-v`;
  let names: string[];
  try {
    names = readdirSync(dirname(dbPath));
  } catch {
    return [];
  }
  const found: PreMigrationBackup[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".bak")) continue;
    const match = /^(\d+)-(\d{8}T[\d.]+Z)\.bak$/.exec(name.slice(prefix.length));
    if (!match) continue;
    found.push({ path: join(dirname(dbPath), name), fromVersion: Number(match[1]), timestamp: match[2]! });
  }
  return found.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}
