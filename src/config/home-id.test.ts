import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ensureHomeId, readHomeId } from "./home-id.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-home-id-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const base = join(dir, String(n++));
  mkdirSync(base);
  return join(base, "home-id");
};

test("made once, then stable; 32 hex characters; no temp file left behind", () => {
  const path = fresh();
  assert.equal(readHomeId(path), undefined);
  const id = ensureHomeId(path);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(ensureHomeId(path), id);
  assert.equal(readHomeId(path), id);
  assert.deepEqual(readdirSync(join(path, "..")), ["home-id"]);
});

test("two homes get different ids", () => {
  assert.notEqual(ensureHomeId(fresh()), ensureHomeId(fresh()));
});

test("a damaged file is no id for readers and is replaced by ensureHomeId", () => {
  for (const junk of ["", "not-an-id", "0123456789ABCDEF0123456789ABCDEF", "none", `${"a".repeat(31)}`]) {
    const path = fresh();
    writeFileSync(path, junk);
    assert.equal(readHomeId(path), undefined, junk);
    const id = ensureHomeId(path);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(readFileSync(path, "utf8").trim(), id);
  }
});

test("an existing valid id is never rewritten", () => {
  const path = fresh();
  writeFileSync(path, "0123456789abcdef0123456789abcdef\n");
  assert.equal(ensureHomeId(path), "0123456789abcdef0123456789abcdef");
});

test("a config directory that is missing throws instead of inventing an id", () => {
  assert.throws(() => ensureHomeId(join(dir, "missing-dir", "home-id")), /ENOENT/);
});
