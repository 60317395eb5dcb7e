import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { cleanEnv, type RunningDaemon, startDaemon, tempHome } from "./helpers/processes.ts";
import { issueCode, raw } from "./helpers/remote.ts";

// Brute force against a real daemon with the real limits: 5 exchanges/min per IP (fixed,
// clock-aligned windows) and a lockout after 10 invalid codes. Reaching 10 needs two windows, so
// this test waits for the next minute boundary (up to a minute). Lifting after 15 minutes is
// covered in process with an injected clock (src/daemon/http/routes/pairing.test.ts).

let daemon: RunningDaemon;
const h = tempHome();
before(async () => {
  daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: h.home }) });
});
after(async () => {
  await daemon.stop();
  h.cleanup();
});

const ATTACKER = "127.2.0.1";
const BYSTANDER = "127.2.0.2";
const exchange = (code: string, localAddress: string) =>
  raw({
    url: daemon.url,
    path: "/api/pair/exchange",
    method: "POST",
    body: JSON.stringify({ code, deviceName: "intruder" }),
    localAddress,
  });

test("ten wrong codes lock the source address out; the right code is then refused too; others are unaffected", async () => {
  await issueCode({ url: daemon.url, home: h.home, localAddress: "127.2.0.9" });
  const wave = async () => {
    for (let i = 0; i < 5; i++) assert.equal((await exchange("ZZZZ-ZZZZ", ATTACKER)).status, 401);
  };
  // Start the first wave early enough in a minute that all five land in it.
  if (Date.now() % 60_000 > 55_000) await sleep(60_000 - (Date.now() % 60_000) + 50);
  await wave();
  await sleep(60_000 - (Date.now() % 60_000) + 50);
  await wave();

  const code = await issueCode({ url: daemon.url, home: h.home, localAddress: "127.2.0.9" });
  const locked = await exchange(code, ATTACKER);
  assert.equal(locked.status, 429);
  assert.equal(JSON.parse(locked.body).error.message, "Too many failed attempts. Try again later.");
  const retryAfter = Number(locked.headers["retry-after"]);
  assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After ${retryAfter}`);

  assert.equal((await exchange("ZZZZ-ZZZZ", BYSTANDER)).status, 401, "another address is not locked");
  const paired = await exchange(code, BYSTANDER);
  assert.equal(paired.status, 200, "and can still pair with the live code");
});
