import assert from "node:assert/strict";
import { test } from "node:test";
import { createFailureLockout, createFixedWindowLimiter } from "./rate-limit.ts";

const MINUTE = 60_000;
const T0 = 1_700_000_040_000; // a whole minute

test("5 per minute per key, with Retry-After until the window rolls over", () => {
  let now = T0;
  const limiter = createFixedWindowLimiter({ limit: 5, windowMs: MINUTE, now: () => now });
  for (let i = 0; i < 5; i++) assert.deepEqual(limiter.hit("10.0.0.1"), { allowed: true });
  now = T0 + 15_500;
  assert.deepEqual(limiter.hit("10.0.0.1"), { allowed: false, retryAfterSeconds: 45 });
  assert.deepEqual(limiter.hit("10.0.0.2"), { allowed: true }, "keys are independent");
  now = T0 + MINUTE - 1;
  assert.deepEqual(limiter.hit("10.0.0.1"), { allowed: false, retryAfterSeconds: 1 });
  now = T0 + MINUTE;
  for (let i = 0; i < 5; i++) assert.deepEqual(limiter.hit("10.0.0.1"), { allowed: true });
  assert.equal(limiter.hit("10.0.0.1").allowed, false);
});

test("10 per second for local control", () => {
  let now = T0;
  const limiter = createFixedWindowLimiter({ limit: 10, windowMs: 1_000, now: () => now });
  for (let i = 0; i < 10; i++) assert.equal(limiter.hit("127.0.0.1").allowed, true);
  assert.deepEqual(limiter.hit("127.0.0.1"), { allowed: false, retryAfterSeconds: 1 });
  now += 1_000;
  assert.equal(limiter.hit("127.0.0.1").allowed, true);
});

test("the limiter stays bounded: stale windows go first, then the oldest", () => {
  let now = T0;
  const limiter = createFixedWindowLimiter({ limit: 1, windowMs: MINUTE, now: () => now, maxKeys: 3 });
  for (const ip of ["a", "b", "c"]) limiter.hit(ip);
  assert.equal(limiter.hit("a").allowed, false);
  limiter.hit("d"); // evicts "a", the oldest window
  assert.equal(limiter.size(), 3);
  assert.equal(limiter.hit("b").allowed, false, "b is still tracked");
  assert.equal(limiter.hit("a").allowed, true, "a was forgotten");
  now = T0 + MINUTE;
  for (let i = 0; i < 100; i++) limiter.hit(`ip-${i}`);
  assert.equal(limiter.size(), 3);
});

test("10 failures in a rolling 15 minutes lock a key out for 15 minutes", () => {
  let now = T0;
  const lockout = createFailureLockout({ now: () => now });
  for (let i = 0; i < 9; i++) assert.deepEqual(lockout.recordFailure("ip"), { locked: false });
  assert.deepEqual(lockout.check("ip"), { locked: false });
  assert.deepEqual(lockout.check("other"), { locked: false });
  now += 1_000;
  assert.deepEqual(lockout.recordFailure("ip"), { locked: true, retryAfterSeconds: 900 });
  now += 14 * MINUTE + 59_500;
  assert.deepEqual(lockout.check("ip"), { locked: true, retryAfterSeconds: 1 });
  assert.deepEqual(lockout.recordFailure("ip"), { locked: true, retryAfterSeconds: 1 }, "not extended");
  now += 500;
  assert.deepEqual(lockout.check("ip"), { locked: false }, "lifted after 15 minutes");
  assert.deepEqual(lockout.recordFailure("ip"), { locked: false }, "the count starts again");
});

test("old failures roll out of the 15-minute window", () => {
  let now = T0;
  const lockout = createFailureLockout({ now: () => now });
  for (let i = 0; i < 9; i++) lockout.recordFailure("ip");
  now += 10 * MINUTE;
  lockout.recordFailure("ip"); // 10 within 15 min would lock; this is the 10th
  assert.equal(lockout.check("ip").locked, true);

  const rolling = createFailureLockout({ now: () => now });
  for (let i = 0; i < 9; i++) rolling.recordFailure("ip");
  now += 15 * MINUTE; // the nine are now outside the window
  assert.deepEqual(rolling.recordFailure("ip"), { locked: false });
  for (let i = 0; i < 8; i++) rolling.recordFailure("ip");
  assert.deepEqual(rolling.check("ip"), { locked: false });
  assert.equal(rolling.recordFailure("ip").locked, true);
});

test("the lockout tracker stays bounded and evicts unlocked keys before locked ones", () => {
  let now = T0;
  const lockout = createFailureLockout({ now: () => now, maxFailures: 2, maxKeys: 3 });
  lockout.recordFailure("attacker");
  lockout.recordFailure("attacker");
  lockout.recordFailure("b");
  lockout.recordFailure("c");
  lockout.recordFailure("d"); // full: evicts "b", the oldest unlocked key
  assert.equal(lockout.size(), 3);
  assert.equal(lockout.check("attacker").locked, true);
  assert.equal(lockout.recordFailure("c").locked, true, "c kept its first failure");
  assert.equal(lockout.recordFailure("b").locked, false, "b was forgotten");
  for (let i = 0; i < 50; i++) lockout.recordFailure(`ip-${i}`);
  assert.equal(lockout.size(), 3);
  now += 16 * MINUTE;
  lockout.recordFailure("late");
  assert.equal(lockout.size(), 1, "expired entries are dropped when room is needed");
});
