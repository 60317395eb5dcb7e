import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  backupDatabase,
  findPreMigrationBackups,
  preMigrationBackupPath,
} from "../../config/sqlite-backup.ts";
import {
  type AppliedMigration,
  applyMigration,
  defaultMigrationsDir,
  loadMigrations,
  type Migration,
  readAppliedMigrations,
} from "./migrations.ts";
import { StoreError, sqliteMessage } from "./store-error.ts";
import { type StoreLogger, silentLogger } from "./store-logger.ts";
import { createTransaction } from "./transaction.ts";

export type { StoreLogger } from "./store-logger.ts";

export type OpenStoreOptions = {
  /** The database file; its directory is created when missing. */
  path: string;
  /** This netclaw's version, recorded in `meta.created_by_version` and named in errors. */
  appVersion: string;
  logger?: StoreLogger;
  now?: () => Date;
  /** Where `NNN_name.sql` files are read from; defaults to the migrations shipped with this build. */
  migrationsDir?: string;
  /** How long a statement waits for another connection's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
};

export type Store = {
  /** The connection, for repositories. Do not close it directly; use `close()`. */
  readonly db: DatabaseSync;
  readonly path: string;
  /**
   * Runs `fn` in a write transaction (BEGIN IMMEDIATE … COMMIT) and returns its result; ROLLBACK
   * and rethrow if it throws. A nested call becomes a SAVEPOINT, so a failing inner call undoes
   * only its own work when the outer `fn` catches the error. `fn` must be synchronous.
   */
  transaction<T>(fn: (db: DatabaseSync) => T): T;
  /** The highest applied migration number. */
  schemaVersion(): number;
  /** Checkpoints the WAL into the main file and closes the connection. Safe to call twice. */
  close(): void;
};

function currentVersion(applied: AppliedMigration[]): number {
  return applied.at(-1)?.version ?? 0;
}

function newerThanBinaryError(options: { path: string; version: number; appVersion: string; known: number }) {
  const backup = findPreMigrationBackups(options.path).find((b) => b.fromVersion <= options.known);
  const restore = backup
    ? `restore the copy saved before the migration (${backup.path}) with the daemon stopped`
    : `restore a copy of ${options.path} taken before the upgrade with the daemon stopped (no pre-migration copy was found next to it)`;
  return new StoreError(
    "store_newer_than_binary",
    `Database ${options.path} is at schema version ${options.version}, but this netclawd (version ${options.appVersion}) only knows up to ${options.known}. It was upgraded by a newer netclaw. To roll back, ${restore}, or run the newer netclaw version.`,
  );
}

function warnOnRenamedMigrations(options: {
  applied: AppliedMigration[];
  migrations: Migration[];
  logger: StoreLogger;
}) {
  for (const row of options.applied) {
    const file = options.migrations[row.version - 1];
    if (file && file.name !== row.name) {
      options.logger.warn(
        { version: row.version, applied: row.name, file: file.fileName },
        "Applied migration name differs from the shipped file; the database may come from a different netclaw build",
      );
    }
  }
}

function openFailed(path: string, error: unknown): StoreError {
  return new StoreError(
    "store_open_failed",
    `Cannot open the database ${path}: ${sqliteMessage(error)}. Check that the directory is writable by the daemon's user and on a local file system; if the file is damaged, stop the daemon and restore it from a backup.`,
    { cause: error },
  );
}

function openConnection(path: string, busyTimeoutMs: number): DatabaseSync {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
  } catch (error) {
    throw openFailed(path, error);
  }
}

function configureConnection(options: { db: DatabaseSync; path: string; busyTimeoutMs: number }): void {
  const { db } = options;
  try {
    const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.["journal_mode"];
    if (mode !== "wal") throw new Error(`the file system refused WAL journal mode (got ${String(mode)})`);
    db.exec(
      `PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${options.busyTimeoutMs};`,
    );
  } catch (error) {
    throw openFailed(options.path, error);
  }
}

async function migrate(options: {
  db: DatabaseSync;
  path: string;
  applied: AppliedMigration[];
  migrations: Migration[];
  appVersion: string;
  logger: StoreLogger;
  now: () => Date;
}): Promise<void> {
  const { db, logger, now } = options;
  const from = currentVersion(options.applied);
  const pending = options.migrations.filter((m) => m.version > from);
  if (pending.length === 0) return;
  if (from > 0) {
    const destinationPath = preMigrationBackupPath({ dbPath: options.path, fromVersion: from, at: now() });
    await backupDatabase({ db, destinationPath });
    logger.info(
      { backup: destinationPath, fromVersion: from, toVersion: options.migrations.length },
      "Saved a copy of the database before migrating it",
    );
  }
  const seedMeta = (conn: DatabaseSync) => {
    const insert = conn.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    insert.run("created_at", now().toISOString());
    insert.run("created_by_version", options.appVersion);
  };
  for (const migration of pending) {
    const fresh = from === 0 && migration.version === 1;
    applyMigration({ db, migration, now, ...(fresh ? { inTransaction: seedMeta } : {}) });
    logger.info({ version: migration.version, migration: migration.fileName }, "Applied database migration");
  }
}

/**
 * Opens (creating if needed) the SQLite database at `path` in WAL mode with `synchronous=NORMAL`,
 * foreign keys on and a busy timeout, then brings its schema up to date before returning:
 * - migration files are validated first (gaps, duplicates, bad names → `store_migrations_invalid`);
 * - a database newer than the newest shipped migration is refused (`store_newer_than_binary`)
 *   without modifying its file;
 * - a database that already has applied migrations is copied to
 *   `<path>.pre-migration-v<from>-<UTC timestamp>.bak` before pending migrations run;
 * - each migration runs in its own transaction; the first failure stops the run
 *   (`store_migration_failed`) and leaves the database at the last good version.
 * On any error the connection is closed again. The caller owns the returned store and must close it.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { path, appVersion } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const migrations = loadMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const db = openConnection(path, busyTimeoutMs);
  try {
    // Checked before anything is written: closing this connection deletes the -wal/-shm files it
    // created and, with nothing in the WAL, leaves the database file's bytes and mtime untouched.
    let applied: AppliedMigration[];
    try {
      applied = readAppliedMigrations(db);
    } catch (error) {
      throw openFailed(path, error);
    }
    const version = currentVersion(applied);
    if (version > migrations.length) {
      throw newerThanBinaryError({ path, version, appVersion, known: migrations.length });
    }
    warnOnRenamedMigrations({ applied, migrations, logger });
    configureConnection({ db, path, busyTimeoutMs });
    await migrate({ db, path, applied, migrations, appVersion, logger, now });
  } catch (error) {
    db.close();
    throw error;
  }
  let closed = false;
  const transaction = createTransaction({ db, logger, isClosed: () => closed });
  return {
    db,
    path,
    transaction,
    schemaVersion: () => currentVersion(readAppliedMigrations(db)),
    close() {
      if (closed) return;
      closed = true;
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (error) {
        logger.warn(
          { err: error, path },
          "WAL checkpoint at close failed; SQLite replays the WAL on next open",
        );
      }
      db.close();
    },
  };
}
