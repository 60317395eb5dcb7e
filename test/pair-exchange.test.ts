import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cleanEnv, type RunningDaemon, startDaemon, tempHome } from "./helpers/processes.ts";
import { issueCode, raw } from "./helpers/remote.ts";

const EXCHANGE = "/api/pair/exchange";

describe("POST /api/pair/exchange and the device endpoints", () => {
  let daemon: RunningDaemon;
  const h = tempHome();
  let ipCounter = 0;
  /** One source address per step: the 5/min limiter counts per address. */
  const nextIp = () => `127.1.0.${++ipCounter}`;
  const exchange = (body: unknown, localAddress = nextIp()) =>
    raw({ url: daemon.url, path: EXCHANGE, method: "POST", body: JSON.stringify(body), localAddress });
  const code = () => issueCode({ url: daemon.url, home: h.home, localAddress: nextIp() });
  const authed = (token: string, path = "/api/health/status", method = "GET") =>
    raw({ url: daemon.url, path, method, headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: h.home }) });
  });
  after(async () => {
    await daemon.stop();
    h.cleanup();
  });

  test("the answers come in the contract's order: 404 before any code, 400, 401, 200, 409", async () => {
    const none = await exchange({ code: "ABCD-EFGH", deviceName: "laptop" });
    assert.equal(none.status, 404);
    assert.equal(none.body, "", "404 has an empty body");

    for (const body of [
      {},
      { code: "ABCD-EFGH" },
      { code: " ", deviceName: "x" },
      { code: "X", deviceName: "" },
    ]) {
      const res = await exchange(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(JSON.parse(res.body).error.message, "code and deviceName are required.");
    }
    const badJson = await raw({
      url: daemon.url,
      path: EXCHANGE,
      method: "POST",
      body: "{",
      localAddress: nextIp(),
    });
    assert.equal(badJson.status, 400);

    const first = await code();
    const wrong = await exchange({
      code: first.replace(/^./, (c) => (c === "A" ? "B" : "A")),
      deviceName: "laptop",
    });
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.body).error.message, "Invalid, expired, or already-used pairing code.");

    const ok = await exchange({ code: first.toLowerCase(), deviceName: "  laptop  " });
    assert.equal(ok.status, 200);
    const { token } = JSON.parse(ok.body) as { token: string };
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    assert.equal((await exchange({ code: first, deviceName: "other" })).status, 401, "single use");

    const second = await code();
    const taken = await exchange({ code: second, deviceName: "LAPTOP" });
    assert.equal(taken.status, 409);
    assert.equal(
      JSON.parse(taken.body).error.message,
      "A paired device named 'LAPTOP' already exists. Revoke it before pairing again.",
    );
    const stillValid = await exchange({ code: second, deviceName: "phone" });
    assert.equal(stillValid.status, 200, "a 409 leaves the code usable");

    const devices = await raw({ url: daemon.url, path: "/api/pair/devices" });
    assert.equal(devices.status, 200);
    const list = JSON.parse(devices.body) as { name: string }[];
    assert.deepEqual(
      list.map((d) => d.name),
      ["laptop", "phone"],
    );
    assert.doesNotMatch(devices.body, /hash|salt|token/i);
  });

  test("tokens authenticate; revoking a device makes its token 401 at once; 404 for unknown names", async () => {
    const token = JSON.parse((await exchange({ code: await code(), deviceName: "tablet" })).body)
      .token as string;
    assert.equal((await authed(token)).status, 200);
    const listed = JSON.parse((await authed(token, "/api/pair/devices")).body) as {
      name: string;
      lastUsedAt: string | null;
    }[];
    assert.ok(listed.find((d) => d.name === "tablet")?.lastUsedAt, "LastUsedAt recorded");

    assert.equal((await authed(token, "/api/pair/devices/TABLET", "DELETE")).status, 204);
    const after = await authed(token);
    assert.equal(after.status, 401);
    assert.equal(JSON.parse(after.body).error.message, "Invalid or revoked device token.");
    const missing = await raw({ url: daemon.url, path: "/api/pair/devices/tablet", method: "DELETE" });
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).error.message, "Device 'tablet' not found.");
  });

  test("concurrent exchanges of one code: exactly one device is paired", async () => {
    const shared = await code();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => exchange({ code: shared, deviceName: `racer-${i}` })),
    );
    assert.equal(answers.filter((res) => res.status === 200).length, 1);
    assert.ok(answers.every((res) => res.status === 200 || res.status === 401));
  });

  test("5 exchanges per minute per IP, then 429 with Retry-After; other IPs unaffected", async () => {
    const ip = nextIp();
    const answers: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 11; i++) {
      const res = await exchange({}, ip);
      answers.push(res.status);
      if (res.status === 429) retryAfter ??= String(res.headers["retry-after"]);
    }
    // 11 requests span at most two one-minute windows of 5.
    assert.ok(answers.filter((s) => s === 429).length >= 1, answers.join(","));
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60);
    assert.equal((await exchange({}, nextIp())).status, 400);
  });
});
