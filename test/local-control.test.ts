import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { homePaths } from "../src/config/home.ts";
import { loadOrCreateLocalControlKey, mintProof } from "../src/config/local-control.ts";
import { cleanEnv, type RunningDaemon, startDaemon, tempHome } from "./helpers/processes.ts";
import { proofFor, raw } from "./helpers/remote.ts";

const PATH = "/api/local-control/v1/pairing-code";

describe("POST /api/local-control/v1/pairing-code", () => {
  let daemon: RunningDaemon;
  const h = tempHome();
  let ipCounter = 0;
  /** A fresh source address per test, so the 10/s limiter of one test never affects another. */
  const nextIp = () => `127.0.${10 + Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;
  const post = (body: string, localAddress = nextIp(), headers: Record<string, string> = {}) =>
    raw({ url: daemon.url, path: PATH, method: "POST", body, localAddress, headers });
  const expect401 = async (proof: string, why: string) => {
    const res = await post(JSON.stringify({ proof }));
    assert.equal(res.status, 401, why);
    assert.equal(JSON.parse(res.body).error.message, "Invalid local-control proof.", why);
  };

  before(async () => {
    daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: h.home }) });
  });
  after(async () => {
    await daemon.stop();
    h.cleanup();
  });

  test("a valid proof yields a code and its expiry; the same proof again is a replay (401)", async () => {
    const proof = proofFor(h.home);
    const ok = await post(JSON.stringify({ proof }));
    assert.equal(ok.status, 200);
    const body = JSON.parse(ok.body) as { formattedCode: string; expiresAt: string };
    assert.match(body.formattedCode, /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    const ttl = Date.parse(body.expiresAt) - Date.now();
    assert.ok(ttl > 290_000 && ttl <= 300_000, `expires in ${ttl} ms`);
    await expect401(proof, "replayed");
  });

  test("expired, future-dated, tampered and other-key proofs are refused with 401", async () => {
    const key = loadOrCreateLocalControlKey({ keyPath: homePaths(h.home).localControlKey, create: false })!;
    await expect401(mintProof({ key, now: () => Date.now() - 31_000 }), "older than 30 s");
    await expect401(mintProof({ key, now: () => Date.now() + 6_000 }), "more than 5 s ahead");
    const good = Buffer.from(mintProof({ key, now: Date.now }), "base64url");
    good[5] = (good[5] ?? 0) ^ 0x01; // the timestamp, under the MAC
    await expect401(good.toString("base64url"), "tampered");
    await expect401(mintProof({ key: randomBytes(32), now: Date.now }), "another key");
    const truncated = Buffer.from(mintProof({ key, now: Date.now }), "base64url").subarray(0, 40);
    await expect401(truncated.toString("base64url"), "truncated");
    await expect401("not a proof", "garbage");
  });

  test("another protocol version is 400 unsupported_protocol_version", async () => {
    const key = loadOrCreateLocalControlKey({ keyPath: homePaths(h.home).localControlKey, create: false })!;
    const v2 = Buffer.from(mintProof({ key, now: Date.now }), "base64url");
    v2[0] = 2;
    const res = await post(JSON.stringify({ proof: v2.toString("base64url") }));
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).error.code, "unsupported_protocol_version");
  });

  test("bad bodies: invalid JSON and wrong shapes are 400, over 4 KiB is 413", async () => {
    for (const body of ["{", "[]", '{"proof":5}', "null", '"x"']) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.equal(JSON.parse(res.body).error.message, "The request body is invalid.", body);
    }
    const big = await post(JSON.stringify({ proof: "A".repeat(5000) }));
    assert.equal(big.status, 413);
  });

  test("10 requests per second per IP, then 429 with Retry-After; other IPs unaffected", async () => {
    const ip = nextIp();
    const answers = await Promise.all(Array.from({ length: 25 }, () => post("{", ip)));
    // 25 requests take well under a second, so they span at most two windows of 10.
    const limited = answers.filter((res) => res.status === 429);
    assert.ok(limited.length >= 5, answers.map((res) => res.status).join(","));
    assert.ok(answers.every((res) => res.status === 429 || res.status === 400));
    assert.ok(Number(limited[0]!.headers["retry-after"]) >= 1);
    assert.equal((await post("{", nextIp())).status, 400, "a different source address has its own bucket");
  });

  test("a loopback caller, a device token or forwarded loopback never replace the proof", async () => {
    const res = await post(JSON.stringify({}), nextIp(), {
      authorization: "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "x-forwarded-for": "127.0.0.1",
    });
    assert.equal(res.status, 400);
  });

  test("the nonce cache holds 1,024 live proofs; beyond that local control answers 503", async () => {
    // Earlier tests used a few nonces; fill the rest from many source addresses (10/s each).
    let status = 200;
    let issued = 0;
    while (status === 200 && issued < 1100) {
      const ip = nextIp();
      for (let i = 0; i < 9 && status === 200; i++) {
        status = (await post(JSON.stringify({ proof: proofFor(h.home) }), ip)).status;
        if (status === 200) issued++;
      }
    }
    assert.equal(status, 503);
    assert.ok(issued > 1000 && issued <= 1024, `issued ${issued}`);
    const res = await post(JSON.stringify({ proof: proofFor(h.home) }));
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.body).error.message, "Local control is temporarily unavailable.");
  });
});
