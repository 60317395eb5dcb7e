import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { pino } from "pino";
import {
  APP_VERSION,
  ITEMS_MIGRATION,
  initOnlyMigrationsDir,
  makeTempDir,
  migrationsDirWith,
} from "./fixtures/temp.ts";
import { openStore } from "./sqlite.ts";
import { StoreError } from "./store-error.ts";

const UPGRADE_AT = new Date("2026-03-04T05:06:07.890Z");

function tableExists(db: DatabaseSync, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function readOnly(t: { after: (fn: () => void) => void }, path: string): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly: true });
  t.after(() => {
    if (db.isOpen) db.close();
  });
  return db;
}

/** A v1 database with one row of data, then upgraded to v2 by a migrations dir that adds 002. */
async function upgradedDatabase(t: Parameters<typeof makeTempDir>[0]) {
  const dir = makeTempDir(t);
  const path = join(dir, "netclaw.db");
  const v1 = await openStore({ path, migrationsDir: initOnlyMigrationsDir(), appVersion: APP_VERSION });
  v1.transaction((db) => db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'kept')").run());
  v1.close();
  const withItems = migrationsDirWith({ parent: dir, name: "with-items", extra: ITEMS_MIGRATION });
  const logLines: Record<string, unknown>[] = [];
  const logger = pino({}, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const v2 = await openStore({
    path,
    appVersion: "0.2.0",
    migrationsDir: withItems,
    logger,
    now: () => UPGRADE_AT,
  });
  v2.transaction((db) => db.prepare("INSERT INTO items (label) VALUES ('v2 data')").run());
  v2.close();
  return { dir, path, withItems, logLines, backupPath: `${path}.pre-migration-v1-20260304T050607.890Z.bak` };
}

test("an added migration applies and a copy of the non-empty database is saved first", async (t) => {
  const { dir, path, logLines, backupPath } = await upgradedDatabase(t);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".bak")),
    ["netclaw.db.pre-migration-v1-20260304T050607.890Z.bak"],
  );
  assert.ok(logLines.some((l) => l["backup"] === backupPath && l["level"] === 30));

  const db = readOnly(t, path);
  assert.deepEqual(
    db
      .prepare("SELECT version, name FROM schema_version ORDER BY version")
      .all()
      .map((r) => ({ ...r })),
    [
      { version: 1, name: "init" },
      { version: 2, name: "items" },
    ],
  );
  const backup = readOnly(t, backupPath);
  assert.equal(backup.prepare("SELECT value FROM meta WHERE key = 'probe'").get()?.["value"], "kept");
  assert.equal(backup.prepare("SELECT max(version) AS v FROM schema_version").get()?.["v"], 1);
  assert.equal(tableExists(backup, "items"), false);
  assert.equal(backup.prepare("PRAGMA integrity_check").get()?.["integrity_check"], "ok");
});

test("a failing migration rolls back completely and stops later migrations", async (t) => {
  const { dir, path, withItems } = await upgradedDatabase(t);
  const broken = migrationsDirWith({
    parent: dir,
    name: "broken",
    extra: {
      ...ITEMS_MIGRATION,
      "003_broken.sql": "CREATE TABLE half_done (x INTEGER);\nINSERT INTO does_not_exist VALUES (1);\n",
      "004_later.sql": "CREATE TABLE later (x INTEGER);\n",
    },
  });
  await assert.rejects(
    openStore({
      path,
      appVersion: APP_VERSION,
      migrationsDir: broken,
    }),
    (error) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, "store_migration_failed");
      assert.match(
        error.message,
        /^Migration .*broken\/003_broken\.sql failed: no such table: does_not_exist\./,
      );
      assert.match(error.message, /stays at schema version 2/);
      return true;
    },
  );
  const db = readOnly(t, path);
  assert.equal(tableExists(db, "half_done"), false);
  assert.equal(tableExists(db, "later"), false);
  assert.equal(db.prepare("SELECT max(version) AS v FROM schema_version").get()?.["v"], 2);
  db.close();

  const again = await openStore({
    path,
    appVersion: APP_VERSION,
    migrationsDir: withItems,
  });
  t.after(() => again.close());
  assert.equal(again.schemaVersion(), 2);
  assert.equal(again.db.prepare("SELECT label FROM items").get()?.["label"], "v2 data");
});

test("a migration may not end the runner's transaction itself", async (t) => {
  const dir = makeTempDir(t);
  const sneaky = migrationsDirWith({
    parent: dir,
    name: "sneaky",
    extra: { "002_sneaky.sql": "CREATE TABLE first (x);\nCOMMIT;\nCREATE TABLE second (x);\n" },
  });
  await assert.rejects(
    openStore({ path: join(dir, "netclaw.db"), appVersion: APP_VERSION, migrationsDir: sneaky }),
    {
      code: "store_migration_failed",
      message: /002_sneaky\.sql failed: .*not authorized.*must not contain BEGIN, COMMIT/,
    },
  );
  const db = readOnly(t, join(dir, "netclaw.db"));
  assert.equal(tableExists(db, "first"), false);
  assert.equal(db.prepare("SELECT max(version) AS v FROM schema_version").get()?.["v"], 1);
});

test("a database newer than this binary is refused, named, and left byte-for-byte unchanged", async (t) => {
  const { dir, path, backupPath } = await upgradedDatabase(t);
  const before = {
    bytes: readFileSync(path),
    mtimeMs: statSync(path).mtimeMs,
    files: readdirSync(dir).sort(),
  };

  await assert.rejects(
    openStore({ path, migrationsDir: initOnlyMigrationsDir(), appVersion: APP_VERSION }),
    (error) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, "store_newer_than_binary");
      assert.equal(
        error.message,
        `Database ${path} is at schema version 2, but this netclawd (version ${APP_VERSION}) only knows up to 1. ` +
          "It was upgraded by a newer netclaw. To roll back, restore the copy saved before the migration " +
          `(${backupPath}) with the daemon stopped, or run the newer netclaw version.`,
      );
      return true;
    },
  );
  assert.ok(readFileSync(path).equals(before.bytes));
  assert.equal(statSync(path).mtimeMs, before.mtimeMs);
  assert.deepEqual(readdirSync(dir).sort(), before.files);

  // Following the advice works: the restored copy opens with this binary.
  copyFileSync(backupPath, path);
  const restored = await openStore({ path, migrationsDir: initOnlyMigrationsDir(), appVersion: APP_VERSION });
  t.after(() => restored.close());
  assert.equal(restored.schemaVersion(), 1);
  assert.equal(restored.db.prepare("SELECT value FROM meta WHERE key = 'probe'").get()?.["value"], "kept");
});

test("the newer-than-binary message says so when no pre-migration copy exists", async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, "netclaw.db");
  const withItems = migrationsDirWith({ parent: dir, name: "with-items", extra: ITEMS_MIGRATION });
  (await openStore({ path, appVersion: "0.2.0", migrationsDir: withItems })).close();
  await assert.rejects(openStore({ path, migrationsDir: initOnlyMigrationsDir(), appVersion: APP_VERSION }), {
    code: "store_newer_than_binary",
    message: new RegExp(
      `restore a copy of ${path} taken before the upgrade .*no pre-migration copy was found`,
    ),
  });
});

function migrationsDir(
  t: Parameters<typeof makeTempDir>[0],
  files: Record<string, string>,
): { dir: string; db: string } {
  const root = makeTempDir(t);
  const dir = join(root, "m");
  mkdirSync(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return { dir, db: join(root, "netclaw.db") };
}

const init = readFileSync(join(import.meta.dirname, "migrations", "001_init.sql"), "utf8");

test("gaps, duplicate numbers and badly named files refuse to start before the database is touched", async (t) => {
  const cases: { files: Record<string, string>; message: RegExp }[] = [
    {
      files: { "001_init.sql": init, "003_skip.sql": "" },
      message: /gap: expected number 2 but found 003_skip\.sql/,
    },
    { files: { "002_a.sql": "" }, message: /gap: expected number 1 but found 002_a\.sql/ },
    {
      files: { "001_init.sql": init, "002_a.sql": "", "002_b.sql": "" },
      message: /002_a\.sql and 002_b\.sql .* share number 2/,
    },
    {
      files: { "001_init.sql": init, "2_short.sql": "" },
      message: /2_short\.sql is not named NNN_name\.sql/,
    },
    { files: { "README.md": "no sql here" }, message: /No migrations \(NNN_name\.sql\) found/ },
  ];
  for (const { files, message } of cases) {
    const { dir, db } = migrationsDir(t, files);
    await assert.rejects(openStore({ path: db, appVersion: APP_VERSION, migrationsDir: dir }), {
      code: "store_migrations_invalid",
      message,
    });
    assert.equal(existsSync(db), false);
  }
});
