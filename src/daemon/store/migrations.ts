import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, type DatabaseSync } from "node:sqlite";
import { StoreError, sqliteMessage } from "./store-error.ts";

/** One forward-only schema step, read from `NNN_name.sql`. */
export type Migration = { version: number; name: string; fileName: string; path: string; sql: string };

/** A row of `schema_version`. */
export type AppliedMigration = { version: number; name: string };

/** The migrations this binary ships, next to this module in source and in `dist/`. */
export const defaultMigrationsDir = join(import.meta.dirname, "migrations");

/**
 * Non-code files the build must copy verbatim: `tsc` emits only JavaScript, but `openStore` reads
 * `*.sql` from `defaultMigrationsDir` at runtime. Paths are relative to the package root.
 */
export const migrationBuildAssets = [
  { from: "src/daemon/store/migrations", to: "dist/daemon/store/migrations", extension: ".sql" },
] as const;

const FILE_NAME = /^(\d{3,})_([a-z0-9][a-z0-9_]*)\.sql$/;

function invalid(message: string, cause?: unknown): StoreError {
  return new StoreError("store_migrations_invalid", message, { cause });
}

/**
 * Reads and validates every `*.sql` file in `dir`, sorted by number. Files must be named
 * `NNN_name.sql` and numbered 1, 2, 3, … without gaps or duplicates; other file types are
 * ignored. Throws `StoreError` (`store_migrations_invalid`) naming the offending file otherwise —
 * this runs before the database is opened, so a broken install never touches the data.
 */
export function loadMigrations(dir: string): Migration[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith(".sql"));
  } catch (error) {
    throw invalid(
      `Cannot read the migrations directory ${dir}: ${sqliteMessage(error)}. The netclaw installation is incomplete; reinstall it.`,
      error,
    );
  }
  const migrations: Migration[] = [];
  for (const fileName of entries) {
    const match = FILE_NAME.exec(fileName);
    if (!match) {
      throw invalid(
        `Migration file ${join(dir, fileName)} is not named NNN_name.sql (a three-digit number, an underscore, a lower-case name). Rename it.`,
      );
    }
    const path = join(dir, fileName);
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      fileName,
      path,
      sql: readFileSync(path, "utf8"),
    });
  }
  if (migrations.length === 0) {
    throw invalid(
      `No migrations (NNN_name.sql) found in ${dir}. The netclaw installation is incomplete; reinstall it.`,
    );
  }
  migrations.sort((a, b) => a.version - b.version);
  for (const [index, migration] of migrations.entries()) {
    const previous = migrations[index - 1];
    if (previous && previous.version === migration.version) {
      throw invalid(
        `Migrations ${previous.fileName} and ${migration.fileName} in ${dir} share number ${migration.version}; each number must be used exactly once.`,
      );
    }
    if (migration.version !== index + 1) {
      throw invalid(
        `Migration numbering in ${dir} has a gap: expected number ${index + 1} but found ${migration.fileName}. Migrations are numbered 001, 002, … without gaps.`,
      );
    }
  }
  return migrations;
}

/** The rows of `schema_version`, ascending; empty for a database that was never migrated. */
export function readAppliedMigrations(db: DatabaseSync): AppliedMigration[] {
  const table = db.prepare(
    "SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'",
  );
  if (!table.get()) return [];
  return db
    .prepare("SELECT version, name FROM schema_version ORDER BY version")
    .all()
    .map((row) => ({ version: Number(row["version"]), name: String(row["name"]) }));
}

export type ApplyMigrationOptions = {
  db: DatabaseSync;
  migration: Migration;
  now: () => Date;
  /** Runs inside the migration's transaction after its SQL, e.g. to seed `meta` on a new database. */
  inTransaction?: (db: DatabaseSync) => void;
};

// A migration file that issued COMMIT or ROLLBACK itself would end our transaction halfway and make
// "all or nothing" a lie, so transaction statements are refused while the file runs.
function denyTransactionControl(action: number): number {
  return action === constants.SQLITE_TRANSACTION || action === constants.SQLITE_SAVEPOINT
    ? constants.SQLITE_DENY
    : constants.SQLITE_OK;
}

/**
 * Applies one migration in ONE transaction together with its `schema_version` row: either all of
 * it takes effect or none of it. On failure the transaction is rolled back and a `StoreError`
 * (`store_migration_failed`) names the file and the SQLite error. Files must not contain
 * BEGIN/COMMIT/SAVEPOINT; a migration that rebuilds tables can use `PRAGMA defer_foreign_keys = ON`.
 */
export function applyMigration(options: ApplyMigrationOptions): void {
  const { db, migration } = options;
  db.exec("BEGIN IMMEDIATE");
  try {
    db.setAuthorizer(denyTransactionControl);
    try {
      db.exec(migration.sql);
    } finally {
      db.setAuthorizer(null);
    }
    db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)").run(
      migration.version,
      migration.name,
      options.now().toISOString(),
    );
    options.inTransaction?.(db);
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    const reason = sqliteMessage(error);
    const hint = /not authorized/.test(reason)
      ? " (migration files must not contain BEGIN, COMMIT, ROLLBACK or SAVEPOINT; the runner wraps each file in a transaction)"
      : "";
    throw new StoreError(
      "store_migration_failed",
      `Migration ${migration.path} failed: ${reason}${hint}. It was rolled back completely: the database stays at schema version ${migration.version - 1} and later migrations were not applied.`,
      { cause: error },
    );
  }
}
