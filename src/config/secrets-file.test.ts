import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import { isEncrypted, SecretUndecryptableError } from "./secret-box.ts";
import { listStoredSecrets, readSecrets, removeSecret, SecretsFileError, setSecret } from "./secrets-file.ts";

function tempHome(t: { after: (fn: () => void) => void }) {
  const home = mkdtempSync(join(tmpdir(), "netclaw-secrets-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, "config"));
  return {
    home,
    secretsPath: join(home, "config", "secrets.json"),
    keyPath: join(home, "keys", "secrets.key"),
  };
}

const mode = (path: string) => statSync(path).mode & 0o777;
const rawFile = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const errorsSeen: unknown[] = [];

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    errorsSeen.push(error);
    return error;
  }
  assert.fail("expected an error");
}

test("setSecret nests dotted keys, encrypts on disk, and readSecrets decrypts", (t) => {
  const loc = tempHome(t);
  assert.deepEqual(readSecrets(loc), { value: {}, plaintextPaths: [] });
  assert.equal(existsSync(loc.keyPath), false, "reading never creates the key");

  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "sk-or-SECRET" });
  setSecret({ ...loc, dottedKey: "DeviceToken", value: "dev-TOKEN" });

  assert.equal(mode(loc.secretsPath), 0o600);
  assert.equal(mode(loc.keyPath), 0o600);
  assert.equal(mode(join(loc.home, "keys")), 0o700);
  const text = readFileSync(loc.secretsPath, "utf8");
  assert.ok(!text.includes("sk-or-SECRET") && !text.includes("dev-TOKEN"));
  const raw = rawFile(loc.secretsPath);
  assert.ok(isEncrypted(raw.Providers.openrouter.ApiKey));
  assert.ok(isEncrypted(raw.DeviceToken));

  assert.deepEqual(readSecrets(loc), {
    value: { Providers: { openrouter: { ApiKey: "sk-or-SECRET" } }, DeviceToken: "dev-TOKEN" },
    plaintextPaths: [],
  });
});

test("existing leaves are preserved byte for byte; keys match case-insensitively", (t) => {
  const loc = tempHome(t);
  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "one" });
  setSecret({ ...loc, dottedKey: "Providers.anthropic.ApiKey", value: "two" });
  const before = rawFile(loc.secretsPath);
  setSecret({ ...loc, dottedKey: "providers.OPENROUTER.apikey", value: "three" });
  const after = rawFile(loc.secretsPath);
  assert.equal(after.Providers.anthropic.ApiKey, before.Providers.anthropic.ApiKey);
  assert.notEqual(after.Providers.openrouter.ApiKey, before.Providers.openrouter.ApiKey);
  assert.deepEqual(readSecrets(loc).value, {
    Providers: { openrouter: { ApiKey: "three" }, anthropic: { ApiKey: "two" } },
  });
});

test("hand-written plaintext leaves load, are reported, and get encrypted on the next write", (t) => {
  const loc = tempHome(t);
  writeFileSync(
    loc.secretsPath,
    JSON.stringify({ Providers: { openai: { ApiKey: "sk-hand" } }, Port: 5199, Debug: false }),
    { mode: 0o644 },
  );
  assert.deepEqual(readSecrets(loc), {
    value: { Providers: { openai: { ApiKey: "sk-hand" } }, Port: 5199, Debug: false },
    plaintextPaths: ["Providers.openai.ApiKey"],
  });
  setSecret({ ...loc, dottedKey: "DeviceToken", value: "tok" });
  assert.equal(mode(loc.secretsPath), 0o600, "a loose mode is forced back to 0600");
  assert.ok(isEncrypted(rawFile(loc.secretsPath).Providers.openai.ApiKey));
  assert.equal(rawFile(loc.secretsPath).Port, 5199);
  assert.deepEqual(readSecrets(loc).plaintextPaths, []);
  assert.equal(readSecrets(loc).value["Providers"] !== undefined, true);
});

test("plaintext-only files load without a key file", (t) => {
  const loc = tempHome(t);
  writeFileSync(loc.secretsPath, JSON.stringify({ DeviceToken: "plain" }));
  assert.deepEqual(readSecrets(loc), { value: { DeviceToken: "plain" }, plaintextPaths: ["DeviceToken"] });
  assert.equal(existsSync(loc.keyPath), false);
});

test("a lost or replaced key makes reads fail with the dotted key and the fix", (t) => {
  const loc = tempHome(t);
  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "sk-LOST-1" });
  const stored = rawFile(loc.secretsPath).Providers.openrouter.ApiKey as string;

  rmSync(loc.keyPath);
  const lost = captureError(() => readSecrets(loc));
  assert.ok(lost instanceof SecretUndecryptableError);
  assert.match(
    lost.message,
    /'Providers\.openrouter\.ApiKey'.*lost or changed.*netclaw secrets set Providers/,
  );

  writeFileSync(loc.keyPath, Buffer.alloc(32, 7), { mode: 0o600 });
  const changed = captureError(() => readSecrets(loc));
  assert.ok(changed instanceof SecretUndecryptableError);
  assert.deepEqual(changed.dottedKeys, ["Providers.openrouter.ApiKey"]);

  // Re-entering the value repairs the file with the new key; the broken value is replaced.
  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "sk-NEW" });
  assert.notEqual(rawFile(loc.secretsPath).Providers.openrouter.ApiKey, stored);
  assert.deepEqual(readSecrets(loc).value, { Providers: { openrouter: { ApiKey: "sk-NEW" } } });
});

test("invalid JSON or a non-object file is an error naming the file, and nothing is overwritten", (t) => {
  const loc = tempHome(t);
  const broken = '{"Providers": {"openai": {"ApiKey": sk-BROKEN-SECRET}}}';
  writeFileSync(loc.secretsPath, broken);
  for (const action of [
    () => readSecrets(loc),
    () => setSecret({ ...loc, dottedKey: "DeviceToken", value: "tok" }),
  ]) {
    const error = captureError(action);
    assert.ok(error instanceof SecretsFileError);
    assert.equal(error.code, "secrets_file_invalid");
    assert.ok(error.message.includes(loc.secretsPath));
    assert.match(error.message, /is not valid JSON\. Fix it by hand/);
  }
  assert.equal(readFileSync(loc.secretsPath, "utf8"), broken);

  writeFileSync(loc.secretsPath, '["sk-ARRAY-SECRET"]');
  const notObject = captureError(() => readSecrets(loc));
  assert.ok(notObject instanceof SecretsFileError);
  assert.match(notObject.message, /must contain a JSON object/);
});

test("rejects unusable dotted keys and paths through a value", (t) => {
  const loc = tempHome(t);
  for (const dottedKey of ["", "A..B", ".A", "A.", "__proto__.x", "a.constructor", " A"]) {
    const error = captureError(() => setSecret({ ...loc, dottedKey, value: "sk-KEYTEST" }));
    assert.ok(error instanceof SecretsFileError, dottedKey);
    assert.equal(error.code, "secrets_key_invalid");
  }
  setSecret({ ...loc, dottedKey: "Slack.BotToken", value: "xoxb-CONFLICT" });
  const conflict = captureError(() => setSecret({ ...loc, dottedKey: "slack.bottoken.Inner", value: "v" }));
  assert.ok(conflict instanceof SecretsFileError);
  assert.equal(conflict.code, "secrets_key_conflict");
  assert.match(conflict.message, /'Slack\.BotToken' in '.*secrets\.json' already holds a value/);
  assert.deepEqual(readSecrets(loc).value, { Slack: { BotToken: "xoxb-CONFLICT" } });
  assert.equal(({} as Record<string, unknown>)["x"], undefined);
});

test("no secret value appears in any error raised above", () => {
  assert.ok(errorsSeen.length >= 10);
  const secrets = [
    "sk-LOST-1",
    "sk-NEW",
    "sk-BROKEN-SECRET",
    "sk-ARRAY-SECRET",
    "sk-KEYTEST",
    "xoxb-CONFLICT",
  ];
  for (const error of errorsSeen) {
    const text = inspect(error, { depth: 5 }) + JSON.stringify(error);
    for (const secret of secrets) assert.ok(!text.includes(secret), `leaks ${secret}: ${text}`);
  }
});

test("removeSecret removes a leaf case-insensitively, prunes the sections it empties, keeps the rest as stored", (t) => {
  const loc = tempHome(t);
  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "sk-or-v1-aaaaaaaaaaaaaaaaaaaa" });
  setSecret({ ...loc, dottedKey: "Providers.spare.ApiKey", value: "spare-key-123456" });
  setSecret({ ...loc, dottedKey: "DeviceToken", value: "device-token-123456" });
  const before = rawFile(loc.secretsPath);

  assert.equal(
    removeSecret({ ...loc, dottedKey: "providers.OPENROUTER.apikey" }),
    "Providers.openrouter.ApiKey",
  );
  const after = rawFile(loc.secretsPath);
  assert.deepEqual(after, { Providers: { spare: before.Providers.spare }, DeviceToken: before.DeviceToken });
  assert.equal(mode(loc.secretsPath), 0o600);

  assert.equal(removeSecret({ ...loc, dottedKey: "Providers.spare.ApiKey" }), "Providers.spare.ApiKey");
  assert.deepEqual(
    rawFile(loc.secretsPath),
    { DeviceToken: before.DeviceToken },
    "emptied sections are gone",
  );
  assert.equal(removeSecret({ ...loc, dottedKey: "Providers.spare.ApiKey" }), undefined);
  assert.equal(removeSecret({ ...loc, dottedKey: "DeviceToken.x" }), undefined, "no path through a value");
  assert.ok(captureError(() => removeSecret({ ...loc, dottedKey: "a..b" })) instanceof SecretsFileError);
});

test("listStoredSecrets names every leaf and whether it is encrypted, without the key or the values", (t) => {
  const loc = tempHome(t);
  assert.deepEqual(listStoredSecrets(loc), [], "a missing file holds none");
  setSecret({ ...loc, dottedKey: "Providers.openrouter.ApiKey", value: "sk-or-v1-aaaaaaaaaaaaaaaaaaaa" });
  const tree = rawFile(loc.secretsPath);
  tree.Channels = { slack: { BotToken: "xoxb-plaintext-value" } };
  writeFileSync(loc.secretsPath, JSON.stringify(tree));
  rmSync(loc.keyPath); // listing needs no key
  assert.deepEqual(listStoredSecrets(loc), [
    { key: "Providers.openrouter.ApiKey", encrypted: true },
    { key: "Channels.slack.BotToken", encrypted: false },
  ]);
});
