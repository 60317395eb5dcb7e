import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import {
  backupDatabase,
  findPreMigrationBackups,
  preMigrationBackupPath,
} from "../../config/sqlite-backup.ts";
import { APP_VERSION, ITEMS_MIGRATION, makeTempDir, migrationsDirWith } from "./fixtures/temp.ts";
import { openStore } from "./sqlite.ts";

test("backupDatabase by path copies committed data while another connection has a write open", async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, "netclaw.db");
  const migrationsDir = migrationsDirWith({ parent: dir, name: "m", extra: ITEMS_MIGRATION });
  const store = await openStore({ path, appVersion: APP_VERSION, migrationsDir });
  t.after(() => store.close());
  chmodSync(path, 0o600);
  store.transaction((db) => db.prepare("INSERT INTO items (label) VALUES ('committed')").run());

  // The daemon's connection is mid-transaction while `netclaw backup create` copies the file.
  store.db.exec("BEGIN IMMEDIATE");
  store.db.prepare("INSERT INTO items (label) VALUES ('uncommitted')").run();
  const destinationPath = join(dir, "copy.db");
  const result = await backupDatabase({ sourcePath: path, destinationPath });
  store.db.exec("ROLLBACK");

  assert.equal(result.destinationPath, destinationPath);
  assert.ok(result.totalPages > 0);
  assert.equal(statSync(destinationPath).mode & 0o777, 0o600);
  const copy = new DatabaseSync(destinationPath, { readOnly: true });
  t.after(() => copy.close());
  assert.deepEqual(
    copy
      .prepare("SELECT label FROM items")
      .all()
      .map((r) => r["label"]),
    ["committed"],
  );
  assert.equal(copy.prepare("PRAGMA integrity_check").get()?.["integrity_check"], "ok");
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes("partial")),
    [],
  );
});

test("backupDatabase from an open connection, and it never overwrites an existing file", async (t) => {
  const dir = makeTempDir(t);
  const store = await openStore({ path: join(dir, "netclaw.db"), appVersion: APP_VERSION });
  t.after(() => store.close());
  const destinationPath = join(dir, "copy.db");
  writeFileSync(destinationPath, "precious");

  await assert.rejects(backupDatabase({ db: store.db, destinationPath }), {
    code: "store_backup_failed",
    message: new RegExp(`${destinationPath}: the file already exists`),
  });
  assert.equal(readFileSync(destinationPath, "utf8"), "precious");

  const second = join(dir, "second.db");
  await backupDatabase({ db: store.db, destinationPath: second });
  const copy = new DatabaseSync(second, { readOnly: true });
  t.after(() => copy.close());
  assert.equal(
    copy.prepare("SELECT value FROM meta WHERE key = 'created_by_version'").get()?.["value"],
    APP_VERSION,
  );
  assert.equal(store.db.isOpen, true);
});

test("backupDatabase reports a missing source and leaves nothing behind", async (t) => {
  const dir = makeTempDir(t);
  const destinationPath = join(dir, "copy.db");
  await assert.rejects(backupDatabase({ sourcePath: join(dir, "missing.db"), destinationPath }), {
    code: "store_backup_failed",
    message: /cannot open .*missing\.db: unable to open database file/,
  });
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(existsSync(destinationPath), false);
});

test("pre-migration copies are named by version and UTC time and found newest first", (t) => {
  const dir = makeTempDir(t);
  const dbPath = join(dir, "netclaw.db");
  const older = preMigrationBackupPath({ dbPath, fromVersion: 1, at: new Date("2026-01-02T03:04:05.006Z") });
  const newer = preMigrationBackupPath({ dbPath, fromVersion: 2, at: new Date("2026-07-08T09:10:11.012Z") });
  assert.equal(older, `${dbPath}.pre-migration-v1-20260102T030405.006Z.bak`);
  for (const file of [older, newer, join(dir, "other.db.pre-migration-v1-20270101T000000.000Z.bak")]) {
    writeFileSync(file, "");
  }
  assert.deepEqual(
    findPreMigrationBackups(dbPath).map((b) => [b.path, b.fromVersion]),
    [
      [newer, 2],
      [older, 1],
    ],
  );
});
