import assert from "node:assert/strict";
import { test } from "node:test";
import { mintProof, parseAndVerifyProof } from "../../config/local-control.ts";
import { createNonceCache } from "./nonce-cache.ts";

test("a nonce is accepted once, replayed while live, and forgotten after expiry", () => {
  let now = 1_000;
  const cache = createNonceCache({ now: () => now });
  assert.equal(cache.use({ nonce: "a", expiresAt: 2_000 }), "accepted");
  assert.equal(cache.use({ nonce: "a", expiresAt: 2_000 }), "replayed");
  assert.equal(cache.use({ nonce: "b", expiresAt: 2_000 }), "accepted");
  now = 2_000; // expiry is inclusive: a proof is still valid at its last millisecond
  assert.equal(cache.use({ nonce: "a", expiresAt: 2_000 }), "replayed");
  now = 2_001;
  assert.equal(cache.size(), 0);
  assert.equal(cache.use({ nonce: "a", expiresAt: 3_000 }), "accepted");
});

test("bounded at 1,024 live entries: full is distinct, replays still detected, expiry frees room", () => {
  let now = 0;
  const cache = createNonceCache({ now: () => now });
  for (let i = 0; i < 1_024; i++) {
    assert.equal(cache.use({ nonce: `n${i}`, expiresAt: 10_000 + i }), "accepted");
  }
  assert.equal(cache.size(), 1_024);
  assert.equal(cache.use({ nonce: "one-too-many", expiresAt: 20_000 }), "full");
  assert.equal(cache.use({ nonce: "n5", expiresAt: 20_000 }), "replayed");
  assert.equal(cache.size(), 1_024, "a refused nonce is not stored");
  now = 10_002; // n0, n1 expired
  assert.equal(cache.use({ nonce: "late-1", expiresAt: 20_000 }), "accepted");
  assert.equal(cache.use({ nonce: "late-2", expiresAt: 20_000 }), "accepted");
  assert.equal(cache.use({ nonce: "late-3", expiresAt: 20_000 }), "full");
  assert.equal(cache.use({ nonce: "n2", expiresAt: 20_000 }), "replayed");
});

test("with verified proofs: a second use of the same proof is a replay", () => {
  const key = Buffer.alloc(32, 3);
  let now = 1_700_000_000_000;
  const cache = createNonceCache({ now: () => now, capacity: 4 });
  const proof = mintProof({ key, now: () => now });
  const first = parseAndVerifyProof({ key, proof, now: () => now });
  assert.ok(first.ok);
  assert.equal(cache.use(first), "accepted");
  now += 29_000;
  const again = parseAndVerifyProof({ key, proof, now: () => now });
  assert.ok(again.ok);
  assert.equal(cache.use(again), "replayed");
  now += 2_000;
  assert.deepEqual(parseAndVerifyProof({ key, proof, now: () => now }), { ok: false, reason: "expired" });
});
