import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, test } from "node:test";
import { route, SECRET, webhookHarness } from "./test-support.ts";
import { signBody } from "./verify-signature.ts";

type Harness = ReturnType<typeof webhookHarness>;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function post(
  harness: Harness,
  options: { route?: string; body?: string | Buffer; headers?: Record<string, string>; sign?: boolean },
) {
  const body = options.body ?? JSON.stringify({ action: "opened", number: 7 });
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.sign !== false && !("x-webhook-signature" in headers)) {
    headers["x-webhook-signature"] = signBody({ secret: SECRET, body });
  }
  return harness.app.inject({
    method: "POST",
    url: `/api/webhooks/${options.route ?? "ci"}`,
    payload: body,
    headers,
  });
}

describe("POST /api/webhooks/:route", () => {
  test("a valid Hmac delivery is accepted and starts one Public session with the payload", async () => {
    h = webhookHarness({ routes: { ci: route() } });
    const res = await post(h, { headers: { "x-webhook-event": "push", "x-webhook-delivery": "d-1" } });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), {
      status: "accepted",
      route: "ci",
      eventType: "push",
      deliveryId: "d-1",
      sessionId: "session-1",
    });
    assert.equal(h.starter.calls.length, 1);
    const call = h.starter.calls[0]!;
    assert.equal(call.sessionKey, "webhook/ci/d-1");
    assert.equal(call.audience, "Public");
    assert.equal(call.channel, "webhook");
    assert.deepEqual(call.webhook.payload, { action: "opened", number: 7 });
    assert.match(call.prompt, /^Summarise the delivery/);
    assert.match(call.prompt, /"number": 7/);
    assert.equal(call.timeoutMs, 300_000);
  });

  test("the signature is accepted with or without the sha256= prefix, in any hex case", async () => {
    h = webhookHarness({ routes: { ci: route({ Audience: "Team" }) } });
    const body = '{"ok":true}';
    const hex = signBody({ secret: SECRET, body }).slice("sha256=".length);
    for (const signature of [hex, hex.toUpperCase(), `sha256=${hex}`]) {
      const res = await post(h, { body, headers: { "x-webhook-signature": signature } });
      assert.equal(res.statusCode, 202, signature);
    }
    assert.equal(h.starter.calls.length, 3);
    assert.equal(h.starter.calls[0]!.audience, "Team");
    assert.equal(h.starter.calls[0]!.webhook.deliveryId, "generated-1");
  });

  test("a bad, missing or other-secret signature is 401 and nothing starts", async () => {
    h = webhookHarness({ routes: { ci: route() } });
    const body = '{"a":1}';
    const cases = [
      { "x-webhook-signature": signBody({ secret: "another-secret-of-16+", body }) },
      { "x-webhook-signature": signBody({ secret: SECRET, body: '{"a":2}' }) },
      { "x-webhook-signature": "sha256=zz" },
      { "x-webhook-signature": "" },
    ];
    for (const headers of cases) {
      const res = await post(h, { body, headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, "invalid_signature");
    }
    assert.equal((await post(h, { body, sign: false })).statusCode, 401);
    assert.equal(h.starter.calls.length, 0);
  });

  test("a replayed delivery id is 202 duplicate_delivery and starts nothing more", async () => {
    h = webhookHarness({ routes: { ci: route() } });
    const headers = { "x-webhook-delivery": "abc-123", "x-webhook-event": "push" };
    assert.equal((await post(h, { headers })).statusCode, 202);
    const replay = await post(h, { headers });
    assert.equal(replay.statusCode, 202);
    assert.deepEqual(replay.json(), {
      status: "ignored",
      reason: "duplicate_delivery",
      route: "ci",
      eventType: "push",
      deliveryId: "abc-123",
    });
    assert.equal(h.starter.calls.length, 1);
  });

  test("two concurrent copies of one delivery start one session; a body without Content-Type is read raw", async () => {
    h = webhookHarness({ routes: { ci: route() } });
    const headers = { "x-webhook-delivery": "same" };
    const [a, b] = await Promise.all([post(h, { headers }), post(h, { headers })]);
    assert.deepEqual([a.json().status, b.json().status].sort(), ["accepted", "ignored"]);
    assert.equal(h.starter.calls.length, 1);
    const body = '{"plain":true}';
    const res = await h.app.inject({
      method: "POST",
      url: "/api/webhooks/ci",
      payload: body,
      headers: { "x-webhook-signature": signBody({ secret: SECRET, body }), "content-type": "" },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(h.starter.calls[1]?.webhook.payload, { plain: true });
  });

  test("HmacTimestamped: in tolerance accepted; 301 s old or ahead, or a re-stamped replay, is 401", async () => {
    h = webhookHarness({
      routes: { ts: route({ Verification: { Kind: "HmacTimestamped", Secret: SECRET } }) },
    });
    const body = '{"v":1}';
    const nowSec = Math.floor(h.clock.now / 1000);
    const send = (stamp: number, signedStamp = stamp) =>
      post(h!, {
        route: "ts",
        body,
        headers: {
          "x-webhook-timestamp": String(stamp),
          "x-webhook-signature": signBody({ secret: SECRET, body, timestamp: String(signedStamp) }),
        },
      });
    assert.equal((await send(nowSec - 299)).statusCode, 202);
    assert.equal((await send(nowSec - 301)).statusCode, 401);
    assert.equal((await send(nowSec + 301)).statusCode, 401);
    assert.equal((await send(nowSec, nowSec - 600)).statusCode, 401);
    const unsignedStamp = await post(h, { route: "ts", body });
    assert.equal(unsignedStamp.statusCode, 401);
    assert.equal(h.starter.calls.length, 1);
    // A captured request replayed inside the window (no delivery id) is recognised by its signature.
    const replay = await send(nowSec - 299);
    assert.equal(replay.statusCode, 202);
    assert.equal(replay.json().reason, "duplicate_delivery");
    const stamp = String(nowSec - 299);
    const bare = signBody({ secret: SECRET, body, timestamp: stamp }).slice("sha256=".length).toUpperCase();
    const disguised = await post(h, {
      route: "ts",
      body,
      headers: { "x-webhook-timestamp": stamp, "x-webhook-signature": bare },
    });
    assert.equal(disguised.json().reason, "duplicate_delivery");
    assert.equal(h.starter.calls.length, 1);
  });

  test("HeaderSecret: the right secret is accepted, a wrong or missing one is 401", async () => {
    h = webhookHarness({ routes: { hs: route({ Verification: { Kind: "HeaderSecret", Secret: SECRET } }) } });
    const ok = await post(h, { route: "hs", sign: false, headers: { "x-webhook-secret": SECRET } });
    assert.equal(ok.statusCode, 202);
    const wrong = await post(h, { route: "hs", sign: false, headers: { "x-webhook-secret": `${SECRET}x` } });
    assert.equal(wrong.statusCode, 401);
    assert.equal((await post(h, { route: "hs", sign: false })).statusCode, 401);
    assert.equal(h.starter.calls.length, 1);
  });

  test("an event outside the allow-list is 202 event_filtered and starts nothing", async () => {
    h = webhookHarness({ routes: { ci: route({ Events: ["push", "release"] }) } });
    const filtered = await post(h, { headers: { "x-webhook-event": "issues" } });
    assert.equal(filtered.statusCode, 202);
    assert.equal(filtered.json().reason, "event_filtered");
    assert.equal((await post(h, {})).json().reason, "event_filtered");
    assert.equal(h.starter.calls.length, 0);
    assert.equal((await post(h, { headers: { "x-webhook-event": "release" } })).json().status, "accepted");
  });

  test("unknown route, disabled route and disabled feature are 404 before the body is read", async () => {
    h = webhookHarness({ routes: { ci: route(), off: route({ Enabled: false }) } });
    assert.equal((await post(h, { route: "nope" })).statusCode, 404);
    assert.equal((await post(h, { route: "off" })).statusCode, 404);
    h.enabled.value = false;
    const res = await post(h, { route: "ci", body: "x".repeat(2 * 1024 * 1024) });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, "not_found");
    assert.equal(h.starter.calls.length, 0);
  });

  test("a body over MaxBodyBytes is 413 (declared length and chunked stream), even when signed", async () => {
    h = webhookHarness({ routes: { ci: route({ MaxBodyBytes: 1000 }), big: route() } });
    const big = JSON.stringify({ pad: "x".repeat(1100) });
    const declared = await post(h, { body: big });
    assert.equal(declared.statusCode, 413);
    assert.equal(declared.json().error.code, "payload_too_large");
    const overDefault = JSON.stringify({ pad: "y".repeat(1024 * 1024) });
    assert.equal((await post(h, { route: "big", body: overDefault })).statusCode, 413);

    // Chunked, no Content-Length: the cap is enforced on the stream as it arrives — the 413 comes
    // back while the sender is still sending, so an endless body is never buffered.
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/webhooks/ci",
          headers: {
            "content-type": "application/json",
            "transfer-encoding": "chunked",
            "x-webhook-signature": signBody({ secret: SECRET, body: big }),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < big.length; i += 100) req.write(big.slice(i, i + 100));
      // Not ended: without the streaming cap the server would wait for the rest forever.
      setTimeout(() => reject(new Error("no 413 before the body ended")), 3000).unref();
    });
    assert.equal(status, 413);
    assert.equal(h.starter.calls.length, 0);
  });

  test("invalid JSON is 400 before the signature is checked; an empty body too", async () => {
    h = webhookHarness({ routes: { ci: route() } });
    const signed = await post(h, { body: "{not json" });
    assert.equal(signed.statusCode, 400);
    assert.equal(signed.json().error.code, "invalid_json");
    assert.equal(
      (await post(h, { body: "{nope", headers: { "x-webhook-signature": "sha256=00" } })).statusCode,
      400,
    );
    assert.equal((await post(h, { body: "" })).statusCode, 400);
    assert.equal(h.starter.calls.length, 0);
  });

  test("over RateLimitPerMinute is 429 with Retry-After; the next minute is accepted again", async () => {
    h = webhookHarness({ routes: { ci: route({ RateLimitPerMinute: 3 }) } });
    h.clock.now = Date.parse("2026-11-23T12:00:10Z");
    for (let i = 0; i < 3; i++) assert.equal((await post(h, {})).statusCode, 202);
    const limited = await post(h, {});
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers["retry-after"], "50");
    assert.equal(h.starter.calls.length, 3);
    h.clock.now += 50_000;
    assert.equal((await post(h, {})).statusCode, 202);
  });

  test("a failed session start is 503 and the sender's retry of that delivery is accepted", async () => {
    let failing = true;
    h = webhookHarness({ routes: { ci: route() }, failStart: () => failing });
    const headers = { "x-webhook-delivery": "retry-me" };
    const first = await post(h, { headers });
    assert.equal(first.statusCode, 503);
    assert.equal(first.json().error.code, "session_start_failed");
    failing = false;
    assert.equal((await post(h, { headers })).json().status, "accepted");
  });

  test("the secret never appears in a response or the log", async () => {
    h = webhookHarness({ routes: { hs: route({ Verification: { Kind: "HeaderSecret", Secret: SECRET } }) } });
    const bodies: string[] = [];
    for (const secret of [SECRET, "wrong-secret-value-here"]) {
      const res = await post(h, { route: "hs", sign: false, headers: { "x-webhook-secret": secret } });
      bodies.push(res.body);
    }
    assert.ok(!bodies.join("").includes(SECRET));
    assert.ok(h.logText().length > 0);
    assert.ok(!h.logText().includes(SECRET));
  });
});
