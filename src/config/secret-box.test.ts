import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inspect, promisify } from "node:util";
import { KeyFileError } from "./key-file.ts";
import {
  decryptLeaves,
  decryptValue,
  encryptLeaves,
  encryptValue,
  isEncrypted,
  type JsonValue,
  loadOrCreateSecretKey,
  SecretUndecryptableError,
} from "./secret-box.ts";

function tempHome(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-secret-box-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

test("creates the key once: 32 bytes, keys/ 0700, file 0600, then reuses it", (t) => {
  const home = tempHome(t);
  const keyPath = join(home, "keys", "secrets.key");
  assert.equal(loadOrCreateSecretKey({ keyPath, create: false }), undefined);
  const key = loadOrCreateSecretKey({ keyPath, create: true });
  assert.equal(key.length, 32);
  assert.equal(mode(join(home, "keys")), 0o700);
  assert.equal(mode(keyPath), 0o600);
  assert.deepEqual(loadOrCreateSecretKey({ keyPath, create: true }), key);
  assert.deepEqual(loadOrCreateSecretKey({ keyPath, create: false }), key);
});

test("never overwrites an existing key and tightens a loose keys/ directory", (t) => {
  const home = tempHome(t);
  mkdirSync(join(home, "keys"), { mode: 0o755 });
  chmodSync(join(home, "keys"), 0o755);
  const keyPath = join(home, "keys", "secrets.key");
  writeFileSync(keyPath, keyA, { mode: 0o600 });
  assert.deepEqual(loadOrCreateSecretKey({ keyPath, create: true }), keyA);
  assert.deepEqual(readFileSync(keyPath), keyA);
  // The directory is only tightened when a key is created.
  const other = join(home, "keys", "other.key");
  loadOrCreateSecretKey({ keyPath: other, create: true });
  assert.equal(mode(join(home, "keys")), 0o700);
});

test("racing processes all end up with the same key", async (t) => {
  const home = tempHome(t);
  const keyPath = join(home, "keys", "secrets.key");
  // Every process spins until the same instant, so the creations really overlap.
  const startAt = Date.now() + 600;
  const script = `import { loadOrCreateSecretKey } from ${JSON.stringify(new URL("./secret-box.ts", import.meta.url).href)};
while (Date.now() < ${startAt}) {}
process.stdout.write(loadOrCreateSecretKey({ keyPath: ${JSON.stringify(keyPath)}, create: true }).toString("hex"));`;
  const run = promisify(execFile);
  const outputs = await Promise.all(
    [1, 2, 3, 4].map(() => run(process.execPath, ["--input-type=module", "-e", script])),
  );
  const keys = new Set(outputs.map((o) => o.stdout));
  assert.equal(keys.size, 1);
  assert.equal([...keys][0], readFileSync(keyPath).toString("hex"));
});

test("a key file of the wrong size is a typed error naming the file, not its content", (t) => {
  const home = tempHome(t);
  const keyPath = join(home, "secrets.key");
  writeFileSync(keyPath, "not-a-key-sk-SECRET");
  const error = captureError(() => loadOrCreateSecretKey({ keyPath, create: true }));
  assert.ok(error instanceof KeyFileError);
  assert.equal(error.code, "key_file_invalid");
  assert.match(error.message, /secrets\.key' holds 19 bytes/);
  assert.ok(!inspect(error).includes("sk-SECRET"));
  assert.equal(readFileSync(keyPath, "utf8"), "not-a-key-sk-SECRET");
});

test(
  "an unreadable key file is a typed error telling to run as the daemon user",
  {
    skip: process.getuid?.() === 0 ? "root reads any file" : false,
  },
  (t) => {
    const keyPath = join(tempHome(t), "secrets.key");
    writeFileSync(keyPath, keyA, { mode: 0o000 });
    const error = captureError(() => loadOrCreateSecretKey({ keyPath, create: false }));
    assert.ok(error instanceof KeyFileError);
    assert.equal(error.code, "key_file_unreadable");
    assert.match(error.message, /permission denied\). Run the command as the user that runs netclawd/);
  },
);

test("round-trips values in the ENC:v1 format with a fresh IV each time", () => {
  for (const plaintext of ["sk-or-v1-abc", "", "ünïcødé ✓ 🔑", "x".repeat(10_000)]) {
    const encrypted = encryptValue(keyA, plaintext);
    assert.match(encrypted, /^ENC:v1:[A-Za-z0-9_-]+$/);
    const raw = Buffer.from(encrypted.slice("ENC:v1:".length), "base64url");
    assert.equal(raw.length, 12 + Buffer.byteLength(plaintext) + 16);
    assert.equal(decryptValue(keyA, encrypted), plaintext);
    assert.notEqual(encryptValue(keyA, plaintext), encrypted);
  }
});

test("detects tampering anywhere, a wrong or missing key, and unknown formats", () => {
  const encrypted = encryptValue(keyA, "sk-live-secret");
  const raw = Buffer.from(encrypted.slice(7), "base64url");
  const forged: string[] = [];
  for (const index of [0, 11, 12, raw.length - 17, raw.length - 16, raw.length - 1]) {
    const copy = Buffer.from(raw);
    copy[index] = (copy[index] ?? 0) ^ 0x01;
    forged.push(`ENC:v1:${copy.toString("base64url")}`);
  }
  forged.push(
    `ENC:v1:${raw.subarray(0, 20).toString("base64url")}`,
    "ENC:v1:***",
    "ENC:v2:abcd",
    "ENC:CfDJ8x",
  );
  for (const value of forged) {
    assert.throws(() => decryptValue(keyA, value), SecretUndecryptableError, value);
  }
  assert.throws(() => decryptValue(keyB, encrypted), SecretUndecryptableError);
  assert.throws(() => decryptValue(undefined, encrypted), SecretUndecryptableError);
  assert.throws(() => decryptValue(keyA, "sk-plain"), SecretUndecryptableError);
});

test("isEncrypted recognises any ENC: value and nothing else", () => {
  assert.equal(isEncrypted(encryptValue(keyA, "a")), true);
  assert.equal(isEncrypted("ENC:something-older"), true);
  assert.equal(isEncrypted("enc:v1:x"), false);
  assert.equal(isEncrypted("sk-abc"), false);
  assert.equal(isEncrypted(42), false);
});

test("encryptLeaves encrypts every string leaf, keeps ENC: leaves and other types, copies", () => {
  const already = encryptValue(keyA, "kept");
  const tree: JsonValue = JSON.parse(
    `{"DeviceToken":"tok-123","Providers":{"openrouter":{"ApiKey":"sk-or","Enabled":true,"Retries":3,"Old":"${already}"}},"List":["a",null,{"b":"c"}],"__proto__":{"polluted":"yes"}}`,
  );
  const before = JSON.stringify(tree);
  const encrypted = encryptLeaves(tree, keyA) as Record<string, JsonValue>;
  assert.equal(JSON.stringify(tree), before, "input is not mutated");
  const providers = encrypted["Providers"] as { openrouter: Record<string, JsonValue> };
  assert.equal(providers.openrouter["Old"], already);
  assert.equal(providers.openrouter["Enabled"], true);
  assert.equal(providers.openrouter["Retries"], 3);
  assert.ok(isEncrypted(encrypted["DeviceToken"]));
  assert.ok(isEncrypted(providers.openrouter["ApiKey"]));
  assert.equal((encrypted["List"] as JsonValue[])[1], null);
  assert.ok(Object.hasOwn(encrypted, "__proto__"), "__proto__ stays a data key");
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);

  const { value, plaintextPaths } = decryptLeaves(encrypted, keyA);
  assert.deepEqual(plaintextPaths, []);
  assert.equal(JSON.stringify(value), before.replace(already, "kept"));
});

test("decryptLeaves tolerates hand-written plaintext leaves and reports their dotted paths", () => {
  const tree: JsonValue = {
    DeviceToken: encryptValue(keyA, "tok"),
    Providers: { openai: { ApiKey: "sk-typed-by-hand" } },
    Channels: [{ Token: "xoxb-by-hand" }, { Token: encryptValue(keyA, "xoxb-enc") }],
  };
  const { value, plaintextPaths } = decryptLeaves(tree, keyA);
  assert.deepEqual(plaintextPaths, ["Providers.openai.ApiKey", "Channels.0.Token"]);
  assert.deepEqual(value, {
    DeviceToken: "tok",
    Providers: { openai: { ApiKey: "sk-typed-by-hand" } },
    Channels: [{ Token: "xoxb-by-hand" }, { Token: "xoxb-enc" }],
  });
});

test("undecryptable leaves name every dotted key and the fix, never the value", () => {
  const apiKey = encryptValue(keyA, "sk-VERY-SECRET-1");
  const tree: JsonValue = { Providers: { openrouter: { ApiKey: apiKey } }, DeviceToken: "plain-TOKEN-2" };
  const error = captureError(() => decryptLeaves(tree, keyB));
  assert.ok(error instanceof SecretUndecryptableError);
  assert.equal(error.code, "secret_undecryptable");
  assert.deepEqual(error.dottedKeys, ["Providers.openrouter.ApiKey"]);
  assert.match(error.message, /'Providers\.openrouter\.ApiKey'/);
  assert.match(error.message, /key file \(keys\/secrets\.key\) was lost or changed/);
  assert.match(error.message, /`netclaw secrets set Providers\.openrouter\.ApiKey <value>`/);

  const two = captureError(() => decryptLeaves({ A: apiKey, B: { C: "ENC:v1:broken" } }, undefined));
  assert.ok(two instanceof SecretUndecryptableError);
  assert.deepEqual(two.dottedKeys, ["A", "B.C"]);
  assert.match(two.message, /'A', 'B\.C'/);

  for (const e of [error, two, captureError(() => decryptValue(keyB, apiKey))]) {
    const text = inspect(e) + JSON.stringify(e);
    for (const secret of ["sk-VERY-SECRET-1", "plain-TOKEN-2", apiKey.slice(7), apiKey.slice(7, 30)]) {
      assert.ok(!text.includes(secret), `error text leaks ${secret}`);
    }
  }
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}
