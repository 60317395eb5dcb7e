import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
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

/**
 * Sends `head` (request line + header lines, no final blank line) over a raw socket, so the test
 * controls every byte — duplicate headers included — and returns the status and JSON error code.
 */
function rawHttp(port: number, head: string, body = ""): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const length =
        body === "" ? "" : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
      socket.end(`${head}\r\n${length}Connection: close\r\n\r\n${body}`);
    });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const json = text.slice(text.indexOf("\r\n\r\n") + 4);
      let code: string | undefined;
      try {
        code = (JSON.parse(json) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      resolve({ status, code });
    });
  });
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

  test("localhost and the bound address are accepted as Host, with the daemon's port", async () => {
    for (const host of [`localhost:${daemon.port}`, `127.0.0.1:${daemon.port}`, `LOCALHOST:${daemon.port}`]) {
      const res = await raw(daemon.url, { path: "/api/health/status", headers: { host } });
      assert.equal(res.status, 200, host);
    }
  });

  test("a Host that only starts like a local one, another port, or two Hosts are refused", async () => {
    const p = daemon.port;
    for (const host of [
      `localhost:${p}@evil.com`,
      `evil.com@localhost:${p}`,
      `localhost:${p}/x`,
      `localhost:${p}:${p}`,
      `localhost:${p + 1}`,
      `127.0.0.1:${p === 5453 ? 5454 : 5453}`,
      "localhost",
      `localhost.:${p}`,
      `127.1:${p}`,
      `[::1]:${p}`,
    ]) {
      const res = await rawHttp(p, `GET /api/health/ready HTTP/1.1\r\nHost: ${host}`);
      assert.deepEqual(res, { status: 403, code: "host_not_allowed" }, host);
    }
    const twice = await rawHttp(
      p,
      `GET /api/health/ready HTTP/1.1\r\nHost: localhost:${p}\r\nHost: evil.com`,
    );
    assert.deepEqual(twice, { status: 403, code: "host_not_allowed" }, "duplicate Host");
    const twiceSame = await rawHttp(
      p,
      `GET /api/health/ready HTTP/1.1\r\nHost: localhost:${p}\r\nHost: localhost:${p}`,
    );
    assert.equal(twiceSame.status, 403, "even two equal Host headers");
    const fine = await rawHttp(p, `GET /api/health/ready HTTP/1.1\r\nHost: localhost:${p}`);
    assert.equal(fine.status, 200);
  });

  test("any request with an Origin other than the daemon's own is refused: null, other local ports, https, GET and POST", async () => {
    const p = daemon.port;
    const other = p === 5453 ? 5454 : 5453;
    const host = `Host: 127.0.0.1:${p}`;
    for (const origin of [
      "null",
      `http://localhost:${other}`,
      `http://127.0.0.1:${other}`,
      `https://localhost:${p}`,
      `http://localhost:${p}/`,
      `http://localhost:${p}@evil.com`,
      "http://localhost",
      `http://evil.com:${p}`,
    ]) {
      for (const [method, path, body] of [
        ["GET", "/api/health/ready", ""],
        ["POST", "/api/pair/exchange", '{"code":"ABCD-EFGH","deviceName":"x"}'],
        ["POST", "/api/sessions", "{}"],
      ] as const) {
        const res = await rawHttp(p, `${method} ${path} HTTP/1.1\r\n${host}\r\nOrigin: ${origin}`, body);
        assert.deepEqual(
          res,
          { status: 403, code: "origin_not_allowed" },
          `${method} ${path} from ${origin}`,
        );
      }
    }
    const twice = await rawHttp(
      p,
      `GET /api/health/ready HTTP/1.1\r\n${host}\r\nOrigin: http://localhost:${p}\r\nOrigin: http://evil.com`,
    );
    assert.equal(twice.status, 403, "two Origins");
    const sameSite = await rawHttp(
      p,
      `GET /api/health/ready HTTP/1.1\r\n${host}\r\nSec-Fetch-Site: same-site`,
    );
    assert.deepEqual(sameSite, { status: 403, code: "origin_not_allowed" }, "another local port, no Origin");
    for (const origin of [`http://localhost:${p}`, `http://127.0.0.1:${p}`]) {
      const own = await rawHttp(p, `POST /api/sessions HTTP/1.1\r\n${host}\r\nOrigin: ${origin}`, "{}");
      assert.equal(own.status, 201, origin);
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
