import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
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

const CREATED = new Date("2026-01-02T03:04:05.678Z");

test("a fresh database gets schema version 1, meta and the connection settings", async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, "sessions", "netclaw.db");
  const store = await openStore({
    path,
    migrationsDir: initOnlyMigrationsDir(),
    appVersion: APP_VERSION,
    now: () => CREATED,
  });
  t.after(() => store.close());

  assert.equal(store.schemaVersion(), 1);
  assert.deepEqual(
    store.db
      .prepare("SELECT version, name, applied_at FROM schema_version")
      .all()
      .map((r) => ({ ...r })),
    [{ version: 1, name: "init", applied_at: CREATED.toISOString() }],
  );
  assert.deepEqual(
    store.db
      .prepare("SELECT key, value FROM meta ORDER BY key")
      .all()
      .map((r) => ({ ...r })),
    [
      { key: "created_at", value: CREATED.toISOString() },
      { key: "created_by_version", value: APP_VERSION },
    ],
  );
  const pragma = (name: string) => Object.values(store.db.prepare(`PRAGMA ${name}`).get()!)[0];
  assert.equal(pragma("journal_mode"), "wal");
  assert.equal(pragma("synchronous"), 1); // NORMAL
  assert.equal(pragma("foreign_keys"), 1);
  assert.equal(pragma("busy_timeout"), 5000);
});

test("reopening is idempotent: nothing re-applied, meta unchanged, no backup made", async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, "netclaw.db");
  (
    await openStore({
      path,
      migrationsDir: initOnlyMigrationsDir(),
      appVersion: APP_VERSION,
      now: () => CREATED,
    })
  ).close();
  const later = new Date("2027-05-06T07:08:09.000Z");
  const store = await openStore({
    path,
    migrationsDir: initOnlyMigrationsDir(),
    appVersion: "9.9.9",
    now: () => later,
  });
  t.after(() => store.close());

  assert.equal(store.schemaVersion(), 1);
  assert.equal(store.db.prepare("SELECT count(*) AS n FROM schema_version").get()?.["n"], 1);
  assert.equal(
    store.db.prepare("SELECT value FROM meta WHERE key = 'created_at'").get()?.["value"],
    CREATED.toISOString(),
  );
  assert.equal(
    store.db.prepare("SELECT value FROM meta WHERE key = 'created_by_version'").get()?.["value"],
    APP_VERSION,
  );
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".bak")),
    [],
  );
});

test("close checkpoints the WAL away and can be called twice; a closed store refuses work", async (t) => {
  const path = join(makeTempDir(t), "netclaw.db");
  const store = await openStore({ path, migrationsDir: initOnlyMigrationsDir(), appVersion: APP_VERSION });
  store.transaction((db) => db.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run());
  assert.ok(existsSync(`${path}-wal`));
  store.close();
  store.close();
  assert.equal(existsSync(`${path}-wal`), false);
  assert.throws(() => store.transaction(() => 1), { name: "StoreError", code: "store_closed" });
  const raw = new DatabaseSync(path, { readOnly: true });
  t.after(() => raw.close());
  assert.equal(raw.prepare("SELECT value FROM meta WHERE key = 'k'").get()?.["value"], "v");
});

test("transaction commits, rolls back on throw, and nests as savepoints", async (t) => {
  const dir = makeTempDir(t);
  const migrationsDir = migrationsDirWith({ parent: dir, name: "m", extra: ITEMS_MIGRATION });
  const store = await openStore({ path: join(dir, "netclaw.db"), appVersion: APP_VERSION, migrationsDir });
  t.after(() => store.close());
  const insert = (label: string) => store.db.prepare("INSERT INTO items (label) VALUES (?)").run(label);
  const labels = () =>
    store.db
      .prepare("SELECT label FROM items ORDER BY id")
      .all()
      .map((r) => r["label"]);

  assert.equal(
    store.transaction(() => {
      insert("a");
      return "result";
    }),
    "result",
  );
  const boom = new Error("boom");
  assert.throws(
    () =>
      store.transaction(() => {
        insert("rolled-back");
        throw boom;
      }),
    (error) => error === boom,
  );
  assert.deepEqual(labels(), ["a"]);

  store.transaction(() => {
    insert("outer-1");
    assert.throws(() =>
      store.transaction(() => {
        insert("inner");
        throw new Error("inner fails");
      }),
    );
    store.transaction(() => insert("inner-ok"));
    insert("outer-2");
  });
  assert.deepEqual(labels(), ["a", "outer-1", "inner-ok", "outer-2"]);
  assert.equal(store.db.isTransaction, false);
});

test("transaction refuses an async callback and rolls its synchronous part back", async (t) => {
  const dir = makeTempDir(t);
  const migrationsDir = migrationsDirWith({ parent: dir, name: "m", extra: ITEMS_MIGRATION });
  const store = await openStore({ path: join(dir, "netclaw.db"), appVersion: APP_VERSION, migrationsDir });
  t.after(() => store.close());
  assert.throws(
    () =>
      store.transaction(async (db) => {
        db.prepare("INSERT INTO items (label) VALUES ('x')").run();
      }),
    (error) => error instanceof StoreError && error.code === "store_transaction_misuse",
  );
  assert.equal(store.db.prepare("SELECT count(*) AS n FROM items").get()?.["n"], 0);
  assert.equal(store.db.isTransaction, false);
});

test("a pino logger is accepted and receives each applied migration", async (t) => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const store = await openStore({
    path: join(makeTempDir(t), "netclaw.db"),
    appVersion: APP_VERSION,
    logger,
  });
  store.close();
  assert.ok(
    lines.some((l) => l["msg"] === "Applied database migration" && l["migration"] === "001_init.sql"),
  );
});
