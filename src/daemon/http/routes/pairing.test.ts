import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pino } from "pino";
import { createDeviceRegistry } from "../../../config/device-registry.ts";
import { createPairingCodes } from "../../pairing/pairing-codes.ts";
import { createFailureLockout, createFixedWindowLimiter } from "../../pairing/rate-limit.ts";
import { createApp } from "../app.ts";
import { createAuthenticator } from "../auth.ts";
import { createHostGuard } from "../host-guard.ts";
import { pairingRoutes } from "./pairing.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-pairing-routes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The real routes, registry, codes and limiters in process, all on one injected clock. */
function setup() {
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const now = () => clock.now;
  const codes = createPairingCodes({ now });
  const registry = createDeviceRegistry({ devicesPath: join(dir, `devices-${Math.random()}.json`), now });
  const app = createApp({
    logger: pino({ level: "silent" }),
    hostGuard: createHostGuard({ bindHost: "127.0.0.1", allowedHosts: [], enforceHost: false, port: 80 }),
    authenticate: createAuthenticator({ trustLoopback: false }),
    trustProxy: false,
    routes: [
      pairingRoutes({
        codes,
        registry,
        limiter: createFixedWindowLimiter({ limit: 5, windowMs: 60_000, now }),
        lockout: createFailureLockout({ now }),
        globalLockout: createFailureLockout({ now, maxFailures: 30, maxKeys: 1 }),
      }),
    ],
  });
  const exchange = (remoteAddress: string, code: string, deviceName = "device") =>
    app.inject({
      method: "POST",
      url: "/api/pair/exchange",
      payload: { code, deviceName },
      remoteAddress,
    });
  return { clock, codes, app, exchange };
}

test("10 invalid codes in 15 minutes lock an IP out for 15 minutes; other IPs are unaffected", async () => {
  const { clock, codes, exchange } = setup();
  codes.issue();
  for (let i = 0; i < 10; i++) {
    if (i === 5) clock.now += 60_000; // stay within the 5/min limit
    assert.equal((await exchange("10.0.0.1", "WRONG-CODE")).statusCode, 401, `attempt ${i + 1}`);
  }
  const good = codes.issue();
  const locked = await exchange("10.0.0.1", good.formattedCode);
  assert.equal(locked.statusCode, 429, "even the right code is refused while locked out");
  assert.equal(locked.json().error.message, "Too many failed attempts. Try again later.");
  assert.equal(locked.headers["retry-after"], "900");

  assert.equal((await exchange("10.0.0.2", "WRONG-CODE")).statusCode, 401, "another IP still gets an answer");

  clock.now += 15 * 60_000 - 1_000;
  const stillLocked = await exchange("10.0.0.1", good.formattedCode);
  assert.equal(stillLocked.statusCode, 429);
  assert.equal(stillLocked.headers["retry-after"], "1");

  clock.now += 1_000;
  const fresh = codes.issue();
  const lifted = await exchange("10.0.0.1", fresh.formattedCode);
  assert.equal(lifted.statusCode, 200, "the lockout lifts after its window");
});

test("failures older than the rolling 15-minute window do not count", async () => {
  const { clock, codes, exchange } = setup();
  codes.issue();
  for (let i = 0; i < 9; i++) {
    if (i % 5 === 0) clock.now += 60_000;
    assert.equal((await exchange("10.0.0.3", "WRONG-CODE")).statusCode, 401);
  }
  clock.now += 15 * 60_000;
  assert.equal((await exchange("10.0.0.3", "WRONG-CODE")).statusCode, 401);
  assert.equal((await exchange("10.0.0.3", "WRONG-CODE")).statusCode, 401, "the old nine expired");
});

test("an invalid device name (400) leaves the code valid for the next attempt", async () => {
  const { codes, app, exchange } = setup();
  const code = codes.issue();
  const bad = await exchange("10.0.0.4", code.formattedCode, "\u0007bell");
  assert.equal(bad.statusCode, 400);
  assert.equal((await exchange("10.0.0.4", code.formattedCode, "ok-name")).statusCode, 200);
  await app.close();
});

test("the full code gets through a locked-out address and the rate limit; short codes and guesses do not", async () => {
  const { clock, codes, exchange, app } = setup();
  codes.issue();
  for (let i = 0; i < 10; i++) {
    if (i === 5) clock.now += 60_000;
    await exchange("10.0.0.5", "WRONG-CODE");
  }
  const issued = codes.issue();
  assert.equal((await exchange("10.0.0.5", issued.formattedCode)).statusCode, 429, "short code: locked");
  const guess = `${issued.formattedCode}-2222-2222`;
  const wrong = await exchange("10.0.0.5", guess === issued.formattedFullCode ? `${guess}3` : guess);
  assert.equal(wrong.statusCode, 429, "a wrong full-length guess is still refused unseen");
  const blank = await app.inject({
    method: "POST",
    url: "/api/pair/exchange",
    payload: "{nope",
    headers: { "content-type": "application/json" },
    remoteAddress: "10.0.0.5",
  });
  assert.equal(blank.statusCode, 429, "a locked address gets 429 before its body is judged");
  const owner = await exchange("10.0.0.5", issued.formattedFullCode.toLowerCase(), "owner-laptop");
  assert.equal(owner.statusCode, 200, owner.body);
  assert.equal((await exchange("10.0.0.5", issued.formattedFullCode, "again")).statusCode, 429, "single use");

  // Over the 5/min rate limit (not locked): the full code still goes through.
  const next = codes.issue();
  for (let i = 0; i < 5; i++) await exchange("10.0.0.6", "WRONG-CODE");
  assert.equal((await exchange("10.0.0.6", next.formattedCode)).statusCode, 429);
  assert.equal((await exchange("10.0.0.6", next.formattedFullCode, "phone")).statusCode, 200);
});

test("a ceiling on failures from all addresses together; the full code still works past it", async () => {
  const { codes, exchange } = setup();
  const issued = codes.issue();
  // 30 failures (the ceiling configured above) from 6 addresses, 5 each: none is locked itself.
  for (let a = 0; a < 6; a++) {
    for (let i = 0; i < 5; i++) assert.equal((await exchange(`10.1.0.${a}`, "WRONG-CODE")).statusCode, 401);
  }
  const fresh = await exchange("10.1.1.1", issued.formattedCode);
  assert.equal(fresh.statusCode, 429, "a new address meets the global lockout");
  assert.equal(fresh.json().error.message, "Too many failed attempts. Try again later.");
  assert.equal((await exchange("10.1.1.1", issued.formattedFullCode)).statusCode, 200);
});
