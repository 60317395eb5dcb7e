import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { inspect } from "node:util";
import {
  createDeviceRegistry,
  DeviceNameConflictError,
  DeviceNameInvalidError,
  DeviceRegistryError,
  generateDeviceToken,
} from "./device-registry.ts";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const errorsSeen: unknown[] = [];
const tokensSeen: string[] = [];

function setup(t: { after: (fn: () => void) => void }) {
  const home = mkdtempSync(join(tmpdir(), "netclaw-devices-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, "config"));
  const devicesPath = join(home, "config", "devices.json");
  const clock = { now: T0 };
  const registry = createDeviceRegistry({ devicesPath, now: () => clock.now });
  return { devicesPath, clock, registry };
}

function token(): string {
  const value = generateDeviceToken();
  tokensSeen.push(value);
  return value;
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    errorsSeen.push(error);
    return error;
  }
  assert.fail("expected an error");
}

const fileRecords = (path: string) => JSON.parse(readFileSync(path, "utf8"));

test("device tokens are 32 random bytes in base64url", () => {
  const a = generateDeviceToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, "base64url").length, 32);
  assert.notEqual(generateDeviceToken(), a);
  assert.equal(
    generateDeviceToken(() => new Uint8Array(32).fill(0xff)),
    `${"_".repeat(42)}8`,
  );
});

test("an absent file is an empty registry and is not created by reading", (t) => {
  const { devicesPath, registry } = setup(t);
  assert.deepEqual(registry.list(), []);
  assert.equal(registry.count(), 0);
  assert.equal(registry.verify(token()), null);
  assert.equal(registry.revoke("laptop"), false);
  assert.equal(existsSync(devicesPath), false);
});

test("add stores a salted SHA-256 of the decoded token in a 0600 file", (t) => {
  const { devicesPath, registry } = setup(t);
  const secret = token();
  assert.deepEqual(registry.add({ name: "  laptop ", isBootstrap: false, token: secret }), {
    name: "laptop",
    isBootstrapDevice: false,
    createdAt: new Date(T0).toISOString(),
    lastUsedAt: null,
  });
  assert.equal(statSync(devicesPath).mode & 0o777, 0o600);
  const text = readFileSync(devicesPath, "utf8");
  assert.ok(!text.includes(secret));
  const [record] = fileRecords(devicesPath);
  assert.deepEqual(Object.keys(record), [
    "Name",
    "IsBootstrapDevice",
    "TokenHash",
    "Salt",
    "CreatedAt",
    "LastUsedAt",
  ]);
  assert.match(record.Salt, /^[0-9a-f]{32}$/);
  const expected = createHash("sha256")
    .update(Buffer.concat([Buffer.from(secret, "base64url"), Buffer.from(record.Salt, "hex")]))
    .digest("hex");
  assert.equal(record.TokenHash, expected);
  assert.equal(registry.count(), 1);
});

test("verify finds the right device among several and refuses everything else", (t) => {
  const { registry } = setup(t);
  const tokens = [token(), token(), token()];
  registry.add({ name: "pi", isBootstrap: true, token: tokens[0] ?? "" });
  registry.add({ name: "laptop", isBootstrap: false, token: tokens[1] ?? "" });
  registry.add({ name: "phone", isBootstrap: false, token: tokens[2] ?? "" });
  assert.equal(registry.verify(tokens[1]), "laptop");
  assert.equal(registry.verify(tokens[2]), "phone");
  assert.equal(registry.verify(tokens[0]), "pi");
  const laptop = tokens[1] ?? "";
  const wrong = laptop.slice(0, -1) + (laptop.endsWith("A") ? "E" : "A");
  for (const bad of [token(), wrong, "", "Bearer x", "!!!", "A".repeat(10_000), undefined, null, 7, {}]) {
    assert.equal(registry.verify(bad), null);
  }
  assert.deepEqual(
    registry.list().map((d) => [d.name, d.isBootstrapDevice]),
    [
      ["pi", true],
      ["laptop", false],
      ["phone", false],
    ],
  );
});

test("LastUsedAt is written on use, at most once a minute per device", (t) => {
  const { devicesPath, clock, registry } = setup(t);
  const secret = token();
  registry.add({ name: "laptop", isBootstrap: false, token: secret });
  clock.now = T0 + 5_000;
  assert.equal(registry.verify(secret), "laptop");
  assert.equal(fileRecords(devicesPath)[0].LastUsedAt, new Date(T0 + 5_000).toISOString());
  const written = readFileSync(devicesPath, "utf8");
  const inode = statSync(devicesPath).ino;
  clock.now = T0 + 64_999;
  assert.equal(registry.verify(secret), "laptop");
  assert.equal(readFileSync(devicesPath, "utf8"), written);
  assert.equal(statSync(devicesPath).ino, inode, "not rewritten within the minute");
  clock.now = T0 + 65_000;
  registry.verify(secret);
  assert.equal(fileRecords(devicesPath)[0].LastUsedAt, new Date(T0 + 65_000).toISOString());
  assert.equal(registry.list()[0]?.lastUsedAt, new Date(T0 + 65_000).toISOString());
  assert.equal(statSync(devicesPath).mode & 0o777, 0o600);
});

test(
  "a failed LastUsedAt write is reported and authentication still succeeds",
  {
    skip: process.getuid?.() === 0 ? "root ignores directory permissions" : false,
  },
  (t) => {
    const { devicesPath, clock } = setup(t);
    const reported: unknown[] = [];
    const registry = createDeviceRegistry({
      devicesPath,
      now: () => clock.now,
      onLastUsedWriteError: (error) => reported.push(error),
    });
    const secret = token();
    registry.add({ name: "laptop", isBootstrap: false, token: secret });
    chmodSync(dirname(devicesPath), 0o500);
    clock.now = T0 + 5_000;
    try {
      assert.equal(registry.verify(secret), "laptop");
    } finally {
      chmodSync(dirname(devicesPath), 0o700); // before the temp dir is removed
    }
    assert.equal(reported.length, 1);
    assert.equal(fileRecords(devicesPath)[0].LastUsedAt, null);
  },
);

test("names are unique case-insensitively with the exact 409 message; bad names are refused", (t) => {
  const { devicesPath, registry } = setup(t);
  registry.add({ name: "Laptop", isBootstrap: false, token: token() });
  const before = readFileSync(devicesPath, "utf8");
  const conflict = captureError(() =>
    registry.add({ name: " laptop  ", isBootstrap: false, token: token() }),
  );
  assert.ok(conflict instanceof DeviceNameConflictError);
  assert.equal(conflict.code, "device_name_conflict");
  assert.equal(conflict.status, 409);
  assert.equal(
    conflict.message,
    "A paired device named 'laptop' already exists. Revoke it before pairing again.",
  );
  assert.equal(readFileSync(devicesPath, "utf8"), before);
  for (const name of ["", "   ", "tab\there", "x".repeat(129)]) {
    const invalid = captureError(() => registry.add({ name, isBootstrap: false, token: token() }));
    assert.ok(invalid instanceof DeviceNameInvalidError);
    assert.equal(invalid.status, 400);
  }
  assert.equal(registry.count(), 1);
});

test("revoke removes a device (case-insensitive) and its token stops working", (t) => {
  const { devicesPath, registry } = setup(t);
  const keep = token();
  const drop = token();
  registry.add({ name: "keep", isBootstrap: false, token: keep });
  registry.add({ name: "Drop-Me", isBootstrap: false, token: drop });
  assert.equal(registry.revoke(" drop-me "), true);
  assert.equal(registry.verify(drop), null);
  assert.equal(registry.verify(keep), "keep");
  assert.equal(registry.revoke("drop-me"), false);
  assert.deepEqual(
    fileRecords(devicesPath).map((d: { Name: string }) => d.Name),
    ["keep"],
  );
  registry.add({ name: "drop-me", isBootstrap: false, token: token() });
  assert.equal(registry.count(), 2);
});

test("a revoke by another process (the CLI) is seen at once by a running registry", (t) => {
  const { devicesPath, registry } = setup(t);
  const secret = token();
  registry.add({ name: "laptop", isBootstrap: false, token: secret });
  assert.equal(registry.verify(secret), "laptop");
  const cli = createDeviceRegistry({ devicesPath, now: () => T0 });
  assert.equal(cli.revoke("laptop"), true);
  assert.equal(registry.verify(secret), null);
});

test("a corrupt file is an error naming the file, never an empty registry", (t) => {
  const { devicesPath, registry } = setup(t);
  const secret = token();
  registry.add({ name: "laptop", isBootstrap: false, token: secret });
  const good = readFileSync(devicesPath, "utf8");
  const broken = [
    good.slice(0, -10),
    "",
    "{}",
    '[{"Name":"x"}]',
    good.replace(/"TokenHash": "[0-9a-f]+"/, '"TokenHash": "zz"'),
  ];
  for (const content of broken) {
    writeFileSync(devicesPath, content);
    for (const action of [
      () => registry.verify(secret),
      () => registry.list(),
      () => registry.add({ name: "new", isBootstrap: false, token: token() }),
      () => registry.revoke("laptop"),
    ]) {
      const error = captureError(action);
      assert.ok(error instanceof DeviceRegistryError, content.slice(0, 30));
      assert.equal(error.code, "devices_file_invalid");
      assert.ok(error.message.includes(devicesPath));
      assert.match(error.message, /Restore it from a backup or fix it by hand/);
    }
    assert.equal(readFileSync(devicesPath, "utf8"), content, "a corrupt file is never overwritten");
  }
  writeFileSync(devicesPath, good);
  assert.equal(registry.verify(secret), "laptop");
});

test("a loose file mode is forced back to 0600 on the next write", (t) => {
  const { devicesPath, registry } = setup(t);
  writeFileSync(devicesPath, "[]\n", { mode: 0o644 });
  registry.add({ name: "laptop", isBootstrap: false, token: token() });
  assert.equal(statSync(devicesPath).mode & 0o777, 0o600);
});

test("no token appears in any error raised above", () => {
  assert.ok(errorsSeen.length > 20);
  assert.ok(tokensSeen.length > 10);
  for (const error of errorsSeen) {
    const text = inspect(error, { depth: 5 }) + JSON.stringify(error);
    for (const secret of tokensSeen) assert.ok(!text.includes(secret), `leaks a token: ${text}`);
  }
});
