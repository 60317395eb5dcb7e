import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadOrCreateLocalControlKey, mintProof, parseAndVerifyProof } from "./local-control.ts";

const key = Buffer.alloc(32, 9);
const otherKey = Buffer.alloc(32, 10);
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const clock = (ms: number) => () => ms;
const nonce = Buffer.from("00112233445566778899aabbccddeeff", "hex");

/** Builds a proof byte by byte, independently of mintProof, to pin the wire format. */
function handMade(options: { version?: number; op?: number; issuedAt?: number; macKey?: Buffer }): string {
  const body = Buffer.alloc(26);
  body[0] = options.version ?? 1;
  body[1] = options.op ?? 1;
  body.writeBigInt64BE(BigInt(options.issuedAt ?? T0), 2);
  nonce.copy(body, 10);
  const mac = createHmac("sha256", options.macKey ?? key)
    .update(body)
    .digest();
  return Buffer.concat([body, mac]).toString("base64url");
}

test("mintProof produces the documented layout and verifies", () => {
  const proof = mintProof({ key, now: clock(T0), nonce });
  assert.equal(proof, handMade({}));
  assert.match(proof, /^[A-Za-z0-9_-]{78}$/);
  assert.deepEqual(parseAndVerifyProof({ key, proof, now: clock(T0) }), {
    ok: true,
    nonce: nonce.toString("hex"),
    issuedAt: T0,
    expiresAt: T0 + 30_000,
  });
  const random = mintProof({ key, now: clock(T0) });
  const verified = parseAndVerifyProof({ key, proof: random, now: clock(T0) });
  assert.equal(verified.ok, true);
  assert.notEqual(random, proof, "a fresh nonce by default");
});

test("valid for 30 s and up to 5 s in the future, no longer", () => {
  const proof = mintProof({ key, now: clock(T0), nonce });
  const at = (ms: number) => parseAndVerifyProof({ key, proof, now: clock(ms) });
  assert.equal(at(T0 + 30_000).ok, true);
  assert.deepEqual(at(T0 + 30_001), { ok: false, reason: "expired" });
  assert.deepEqual(at(T0 + 86_400_000), { ok: false, reason: "expired" });
  assert.equal(at(T0 - 5_000).ok, true);
  assert.deepEqual(at(T0 - 5_001), { ok: false, reason: "future" });
  assert.deepEqual(parseAndVerifyProof({ key, proof: handMade({ issuedAt: -1 }), now: clock(T0) }), {
    ok: false,
    reason: "expired",
  });
});

test("another key, any flipped bit, other versions and other operations are refused", () => {
  const now = clock(T0);
  assert.deepEqual(parseAndVerifyProof({ key: otherKey, proof: handMade({}), now }), {
    ok: false,
    reason: "bad_mac",
  });
  assert.deepEqual(parseAndVerifyProof({ key, proof: handMade({ macKey: otherKey }), now }), {
    ok: false,
    reason: "bad_mac",
  });
  const raw = Buffer.from(handMade({}), "base64url");
  for (let i = 0; i < raw.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const copy = Buffer.from(raw);
      copy[i] = (copy[i] ?? 0) ^ bit;
      const result = parseAndVerifyProof({ key, proof: copy.toString("base64url"), now });
      const expected = i === 0 ? "unsupported_version" : "bad_mac";
      assert.deepEqual(result, { ok: false, reason: expected }, `byte ${i} bit ${bit}`);
    }
  }
  assert.deepEqual(parseAndVerifyProof({ key, proof: handMade({ version: 2 }), now }), {
    ok: false,
    reason: "unsupported_version",
  });
  assert.deepEqual(parseAndVerifyProof({ key, proof: handMade({ op: 2 }), now }), {
    ok: false,
    reason: "wrong_operation",
  });
});

test("garbage is malformed and never throws", () => {
  const now = clock(T0);
  const good = handMade({});
  const lastChar = good.at(-1) ?? "A";
  // 58 bytes leave 4 spare (zero) bits in the last character; setting one is a non-canonical spelling.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const nonCanonical = good.slice(0, -1) + alphabet[alphabet.indexOf(lastChar) | 1];
  const inputs: unknown[] = [
    undefined,
    null,
    42,
    {},
    ["x"],
    "",
    "!!!!",
    `${good}=`,
    `${good} `,
    good.slice(0, -4),
    `${good}AAAA`,
    "A".repeat(10_000),
    nonCanonical,
    Buffer.from([1]).toString("base64url"),
  ];
  for (const proof of inputs) {
    const result = parseAndVerifyProof({ key, proof, now });
    assert.deepEqual(result, { ok: false, reason: "malformed" }, String(proof).slice(0, 40));
  }
  for (let i = 0; i < 2_000; i++) {
    const bytes = randomBytes(i % 90);
    if (i % 3 === 0) bytes[0] = 1; // reach past the version check
    for (const proof of [bytes.toString("base64url"), bytes.toString("latin1")]) {
      const result = parseAndVerifyProof({ key, proof, now });
      assert.equal(result.ok, false);
    }
  }
});

test("the key file is created 0600 by the daemon and only read by the CLI", (t) => {
  const home = mkdtempSync(join(tmpdir(), "netclaw-local-control-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const keyPath = join(home, "keys", "local-control.key");
  assert.equal(loadOrCreateLocalControlKey({ keyPath, create: false }), undefined);
  const created = loadOrCreateLocalControlKey({ keyPath, create: true });
  assert.equal(created.length, 32);
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, "keys")).mode & 0o777, 0o700);
  const read = loadOrCreateLocalControlKey({ keyPath, create: false });
  assert.ok(read !== undefined);
  const proof = mintProof({ key: read, now: clock(T0) });
  assert.equal(parseAndVerifyProof({ key: created, proof, now: clock(T0 + 1) }).ok, true);
});
