import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { createPairingCodes, PAIRING_CODE_ALPHABET } from "./pairing-codes.ts";

const T0 = 1_700_000_000_000;

/** One sequence per issued code: the short code's 8 bytes, zero-padded to the full code's 16. */
function fixedBytes(...sequences: number[][]): (size: number) => Uint8Array {
  let next = 0;
  return (size) => {
    const sequence = sequences[next++] ?? [];
    assert.equal(size, 16);
    return Uint8Array.from({ length: size }, (_, i) => sequence[i] ?? 0);
  };
}

test("codes are 8 symbols of the alphabet (byte % 32), shown as ABCD-EFGH, valid 5 minutes", () => {
  const codes = createPairingCodes({
    now: () => T0,
    randomBytes: fixedBytes([0, 31, 32, 63, 8, 9, 255, 200, 1, 2, 3, 4, 5, 6, 7, 40]),
  });
  assert.deepEqual(codes.issue(), {
    code: "2Z2ZABZA",
    formattedCode: "2Z2Z-ABZA",
    formattedFullCode: "2Z2Z-ABZA-3456-789A",
    expiresAt: T0 + 5 * 60_000,
  });
});

test("the full code (80 bits) is recognised only whole, live and unexpired; it also redeems", () => {
  let now = T0;
  const codes = createPairingCodes({ now: () => now });
  const issued = codes.issue();
  assert.match(issued.formattedFullCode, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
  assert.ok(issued.formattedFullCode.startsWith(issued.formattedCode));
  assert.equal(codes.isFullCode(issued.formattedFullCode), true);
  assert.equal(codes.isFullCode(issued.formattedFullCode.toLowerCase().replaceAll("-", " ")), true);
  assert.equal(codes.isFullCode(issued.formattedCode), false, "the short code is not the full code");
  assert.equal(codes.isFullCode(`${issued.formattedFullCode.slice(0, -1)}2`), false);
  assert.equal(codes.isFullCode(`${issued.formattedFullCode}2`), false);
  assert.equal(codes.isFullCode(42), false);
  now = T0 + 5 * 60_000;
  assert.equal(codes.isFullCode(issued.formattedFullCode), false, "expired");
  now = T0;
  const reserved = codes.reserve(issued.formattedFullCode);
  assert.ok(reserved.ok);
  assert.equal(codes.isFullCode(issued.formattedFullCode), false, "being redeemed");
  codes.consume(reserved.reservation);
  assert.equal(codes.isFullCode(issued.formattedFullCode), false, "used");
});

test("the alphabet has 32 unambiguous symbols and real codes use all of them", () => {
  assert.equal(PAIRING_CODE_ALPHABET, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ");
  assert.equal(new Set(PAIRING_CODE_ALPHABET).size, 32);
  assert.doesNotMatch(PAIRING_CODE_ALPHABET, /[01OI]/);
  const codes = createPairingCodes({ now: () => T0 });
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const { code, formattedCode } = codes.issue();
    assert.match(code, /^[2-9A-HJ-NP-Z]{8}$/);
    assert.equal(formattedCode, `${code.slice(0, 4)}-${code.slice(4)}`);
    for (const ch of code) seen.add(ch);
  }
  assert.equal(seen.size, 32);
});

test("input is normalised; wrong, expired and non-string input is invalid; none issued is distinct", () => {
  let now = T0;
  const codes = createPairingCodes({
    now: () => now,
    randomBytes: fixedBytes([8, 9, 10, 11, 12, 13, 14, 15]),
  });
  assert.deepEqual(codes.reserve("ABCD-EFGH"), { ok: false, reason: "no_live_code" });
  assert.equal(codes.issue().formattedCode, "ABCD-EFGH");
  for (const wrong of [
    "ABCD-EFGJ",
    "ABCDEFG",
    "ABCDEFGHA",
    "",
    undefined,
    12345678,
    "ＡBCD-EFGH",
    "A".repeat(100),
  ]) {
    assert.deepEqual(codes.reserve(wrong), { ok: false, reason: "invalid" }, String(wrong));
  }
  now = T0 + 5 * 60_000 - 1;
  const ok = codes.reserve(" abcd efgh\t");
  assert.ok(ok.ok);
  codes.release(ok.reservation);
  const dashed = codes.reserve("a-b-c-d-e-f-g-h");
  assert.ok(dashed.ok);
  codes.release(dashed.reservation);
  now = T0 + 5 * 60_000;
  assert.deepEqual(codes.reserve("ABCD-EFGH"), { ok: false, reason: "invalid" });
});

test("a new code replaces the old one, even one being redeemed", () => {
  const codes = createPairingCodes({
    now: () => T0,
    randomBytes: fixedBytes([8, 8, 8, 8, 8, 8, 8, 8], [9, 9, 9, 9, 9, 9, 9, 9]),
  });
  const first = codes.issue();
  const held = codes.reserve(first.code);
  assert.ok(held.ok);
  const second = codes.issue();
  assert.deepEqual(codes.reserve(first.code), { ok: false, reason: "invalid" });
  codes.consume(held.reservation); // the old exchange finishing must not touch the new code
  const fresh = codes.reserve(second.formattedCode);
  assert.ok(fresh.ok);
});

test("reserve → consume uses the code up; release keeps it valid", () => {
  const codes = createPairingCodes({ now: () => T0 });
  const { code } = codes.issue();
  const first = codes.reserve(code);
  assert.ok(first.ok);
  assert.deepEqual(codes.reserve(code), { ok: false, reason: "invalid" }, "held while reserved");
  codes.release(first.reservation);
  const second = codes.reserve(code);
  assert.ok(second.ok);
  codes.consume(second.reservation);
  codes.release(second.reservation); // too late: already consumed
  assert.deepEqual(codes.reserve(code), { ok: false, reason: "invalid" });
});

test("interleaved exchanges of one code have exactly one winner", async () => {
  const codes = createPairingCodes({ now: () => T0 });
  const { code } = codes.issue();
  const stored: number[] = [];
  async function exchange(id: number): Promise<boolean> {
    await tick();
    const reserved = codes.reserve(code);
    if (!reserved.ok) return false;
    await tick(); // the durable write happens while other exchanges run
    stored.push(id);
    codes.consume(reserved.reservation);
    return true;
  }
  const results = await Promise.all([1, 2, 3, 4, 5, 6].map(exchange));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(stored.length, 1);
});

test("redeem serialises: a failed write keeps the code for the next attempt, then only one wins", async () => {
  const codes = createPairingCodes({ now: () => T0 });
  const { formattedCode } = codes.issue();
  const commits: string[] = [];
  const attempt = (name: string, fail: boolean) =>
    codes.redeem({
      input: formattedCode,
      commit: async () => {
        await tick();
        commits.push(name);
        if (fail) throw new Error("disk full");
        return name;
      },
    });
  const [a, b, c] = await Promise.allSettled([attempt("a", true), attempt("b", false), attempt("c", false)]);
  assert.equal(a?.status, "rejected");
  assert.deepEqual(b, { status: "fulfilled", value: { ok: true, value: "b" } });
  assert.deepEqual(c, { status: "fulfilled", value: { ok: false, reason: "invalid" } });
  assert.deepEqual(commits, ["a", "b"], "the loser never writes");
  assert.deepEqual(await codes.redeem({ input: "nope", commit: () => "x" }), {
    ok: false,
    reason: "invalid",
  });
});

test("no code or input appears in a thrown error", async () => {
  const codes = createPairingCodes({ now: () => T0 });
  const { code } = codes.issue();
  const error = await codes
    .redeem({ input: code, commit: () => Promise.reject(new Error("write failed")) })
    .then(() => assert.fail("expected a rejection"))
    .catch((e: unknown) => e);
  assert.ok(error instanceof Error);
  assert.ok(!`${error.message}${error.stack}`.includes(code));
});
