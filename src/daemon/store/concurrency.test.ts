import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  APP_VERSION,
  ITEMS_MIGRATION,
  makeTempDir,
  migrationsDirWith,
  spawnFixture,
} from "./fixtures/temp.ts";
import { openStore } from "./sqlite.ts";

test(
  "a reader in another process keeps its snapshot while this process commits",
  {
    timeout: 30_000,
  },
  async (t) => {
    const dir = makeTempDir(t);
    const path = join(dir, "netclaw.db");
    const migrationsDir = migrationsDirWith({ parent: dir, name: "m", extra: ITEMS_MIGRATION });
    // A short busy timeout: without WAL the commit below would wait for the reader and fail.
    const store = await openStore({ path, appVersion: APP_VERSION, migrationsDir, busyTimeoutMs: 200 });
    t.after(() => store.close());
    const insert = (label: string) =>
      store.transaction((db) => db.prepare("INSERT INTO items (label) VALUES (?)").run(label));
    insert("first");

    const reader = spawnFixture("wal-reader.ts", [path]);
    t.after(() => reader.child.kill("SIGKILL"));
    assert.equal(await reader.nextLine(), "snapshot:1");
    insert("second");
    reader.child.stdin!.end("again\n");
    assert.equal(await reader.nextLine(), "same-snapshot:1");
    assert.equal(await reader.nextLine(), "fresh:2");
    assert.equal(await reader.exited, 0);
  },
);

test(
  "a database killed -9 mid-transaction opens cleanly with committed data intact",
  {
    timeout: 60_000,
  },
  async (t) => {
    const dir = makeTempDir(t);
    const path = join(dir, "netclaw.db");
    const migrationsDir = migrationsDirWith({ parent: dir, name: "m", extra: ITEMS_MIGRATION });

    const writer = spawnFixture("crash-writer.ts", [path, migrationsDir]);
    t.after(() => writer.child.kill("SIGKILL"));
    assert.equal(await writer.nextLine(), "committed");
    const walAfterCommit = statSync(`${path}-wal`).size;
    writer.child.stdin!.write("go\n");
    assert.equal(await writer.nextLine(), "in-transaction");
    writer.child.kill("SIGKILL");
    await writer.exited;
    // Uncommitted pages reached the WAL file before the kill, so recovery has something to discard.
    assert.ok(statSync(`${path}-wal`).size > walAfterCommit + 1_000_000);

    const store = await openStore({ path, appVersion: APP_VERSION, migrationsDir });
    t.after(() => store.close());
    assert.equal(store.schemaVersion(), 2);
    assert.equal(store.db.prepare("PRAGMA integrity_check").get()?.["integrity_check"], "ok");
    const rows = store.db
      .prepare("SELECT label FROM items ORDER BY id")
      .all()
      .map((r) => r["label"]);
    assert.deepEqual(
      rows,
      Array.from({ length: 100 }, (_, i) => `committed-${i + 1}`),
    );
    store.transaction((db) => db.prepare("INSERT INTO items (label) VALUES ('after-crash')").run());
    assert.equal(store.db.prepare("SELECT count(*) AS n FROM items").get()?.["n"], 101);
  },
);
