import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { cleanEnv, type RunningDaemon, startDaemon, tempHome } from "./helpers/processes.ts";

/** A raw request so the test controls the Host header (fetch would not let it). */
function raw(
  url: string,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
) {
  const target = new URL(url);
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: options.path,
          method: options.method ?? "GET",
          headers: options.headers,
          setHost: !options.headers?.host,
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        },
      );
      req.on("error", reject);
      req.end(options.body);
    },
  );
}

describe("host, origin and auth guards", () => {
  let daemon: RunningDaemon;
  const h = tempHome();
  before(async () => {
    daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: h.home }) });
  });
  after(async () => {
    await daemon.stop();
    h.cleanup();
  });

  test("a foreign Host (DNS rebinding) is refused, even on the anonymous endpoint", async () => {
    for (const path of ["/api/health/ready", "/api/health/status"]) {
      const res = await raw(daemon.url, { path, headers: { host: `evil.example:${daemon.port}` } });
      assert.equal(res.status, 403);
      assert.equal(JSON.parse(res.body).error.code, "host_not_allowed");
    }
  });

  test("localhost and the bound address are accepted as Host", async () => {
    for (const host of [`localhost:${daemon.port}`, `127.0.0.1:${daemon.port}`, "LOCALHOST"]) {
      const res = await raw(daemon.url, { path: "/api/health/status", headers: { host } });
      assert.equal(res.status, 200, host);
    }
  });

  test("a browser request from a foreign Origin is refused; a local origin is fine", async () => {
    const foreign = await raw(daemon.url, {
      path: "/api/health/status",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(foreign.status, 403);
    assert.equal(JSON.parse(foreign.body).error.code, "origin_not_allowed");
    const crossSite = await raw(daemon.url, {
      path: "/api/health/status",
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(crossSite.status, 403);
    const local = await raw(daemon.url, {
      path: "/api/health/status",
      headers: { origin: `http://localhost:${daemon.port}` },
    });
    assert.equal(local.status, 200);
  });

  test("a bearer token is never silently replaced by loopback trust", async () => {
    const res = await raw(daemon.url, {
      path: "/api/health/status",
      headers: { authorization: "Bearer not-a-device" },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(JSON.parse(res.body), {
      error: { code: "unauthorized", message: "Invalid or revoked device token." },
    });
    assert.match(String(res.headers["www-authenticate"]), /Bearer/);
  });

  test("errors are JSON with a stable code and no stack trace", async () => {
    const res = await raw(daemon.url, { path: "/api/nope" });
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.body), {
      error: { code: "not_found", message: "No route for GET /api/nope." },
    });
    const bad = await raw(daemon.url, {
      path: "/api/lifecycle/shutdown?reason=x",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    const body = JSON.parse(bad.body);
    assert.equal(typeof body.error.code, "string");
    assert.ok(!bad.body.includes("    at "), bad.body);
    assert.equal(
      (await raw(daemon.url, { path: "/api/health/ready" })).status,
      200,
      "the daemon is still up",
    );
  });
});
