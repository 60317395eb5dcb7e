import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createGrantStore, findRepositoryRoot, GrantStoreUnavailableError } from "./tool-approvals.ts";

function temp(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-grants-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, path: join(dir, "config", "tool-approvals.json") };
}

test("a missing file is an empty, usable store; grants persist owner-only and are seen by another reader", (t) => {
  const { path } = temp(t);
  const daemon = createGrantStore({ path, now: () => new Date("2026-05-01T10:00:00Z") });
  assert.deepEqual(daemon.list(), []);
  daemon.add({
    audience: "Personal",
    tool: "shell_execute",
    verb: "git push",
    scope: "folder",
    directory: "/w/a",
  });
  daemon.add({
    audience: "Personal",
    tool: "shell_execute",
    verb: "git push",
    scope: "folder",
    directory: "/w/a",
  });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const cli = createGrantStore({ path });
  assert.deepEqual(cli.list(), [
    {
      audience: "Personal",
      tool: "shell_execute",
      verb: "git push",
      scope: "folder",
      directory: "/w/a",
      createdAt: "2026-05-01T10:00:00.000Z",
    },
  ]);
  const query = { audience: "Personal" as const, tool: "shell_execute", verb: "git push", directory: "/w/a" };
  assert.equal(daemon.covers(query), true);
  assert.equal(daemon.covers({ ...query, directory: "/w/b" }), false);
  assert.equal(daemon.covers({ ...query, audience: "Team" }), false);
  assert.equal(
    cli.revoke((g) => g.verb === "git push"),
    1,
  );
  assert.equal(daemon.covers(query), false, "the daemon sees the CLI's revoke");
  assert.equal(JSON.parse(readFileSync(path, "utf8")).version, 3);
});

test("future, malformed and unreadable files make the store unavailable and are left as they are", (t) => {
  const { path } = temp(t);
  mkdirSync(join(path, ".."), { recursive: true });
  const store = createGrantStore({ path });
  const query = { audience: "Personal" as const, tool: "t", verb: "v", directory: "/" };
  for (const content of [
    '{"version": 9, "grants": {}}',
    '{"version": 2, "grants": {}}',
    "[]",
    "not json",
    '{"version":3,"grants":{"Personal":{"t":[{"verb":1}]}}}',
  ]) {
    writeFileSync(path, content);
    assert.equal(store.covers(query), "unavailable", content);
    assert.equal(store.status().ok, false);
    assert.throws(
      () => store.add({ audience: "Personal", tool: "t", verb: "v", scope: "anywhere" }),
      GrantStoreUnavailableError,
    );
    assert.equal(readFileSync(path, "utf8"), content);
  }
  if (process.getuid?.() !== 0) {
    writeFileSync(path, '{"version":3,"grants":{}}');
    chmodSync(path, 0o000);
    assert.equal(store.covers(query), "unavailable");
    chmodSync(path, 0o600);
  }
});

test("the repository scope is the nearest directory holding .git", (t) => {
  const { dir } = temp(t);
  mkdirSync(join(dir, "repo", ".git"), { recursive: true });
  mkdirSync(join(dir, "repo", "a", "b"), { recursive: true });
  assert.equal(findRepositoryRoot(join(dir, "repo", "a", "b")), join(dir, "repo"));
  assert.equal(findRepositoryRoot(dir), undefined);
});
