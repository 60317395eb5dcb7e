import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { createApp } from "./app.ts";
import { createAuthenticator } from "./auth.ts";
import { createHostGuard } from "./host-guard.ts";
import { createIdentityGuard } from "./identity-guard.ts";

const HOME_ID = "0123456789abcdef0123456789abcdef";

/** The real app with one authenticated route that counts its calls. */
function setup(options: { trustLoopback: boolean; enforceHost?: boolean }) {
  let calls = 0;
  const app = createApp({
    logger: pino({ level: "silent" }),
    hostGuard: createHostGuard({
      bindHost: "127.0.0.1",
      port: 80,
      allowedHosts: [],
      enforceHost: options.enforceHost ?? false,
    }),
    identityGuard: createIdentityGuard({
      homeId: HOME_ID,
      home: "/srv/home-b",
      pid: 4242,
      trustLoopback: options.trustLoopback,
    }),
    authenticate: createAuthenticator({ trustLoopback: options.trustLoopback }),
    trustProxy: false,
    routes: [
      (app) => {
        app.post("/api/act", async () => {
          calls++;
          return { ok: true };
        });
      },
    ],
  });
  return { app, calls: () => calls };
}

test("another home's expectation is refused with 409 before the route runs", async () => {
  const { app, calls } = setup({ trustLoopback: true });
  for (const expected of ["fedcba9876543210fedcba9876543210", "none", "", HOME_ID.toUpperCase()]) {
    const response = await app.inject({
      method: "POST",
      url: "/api/act",
      headers: { "x-netclaw-home": expected },
      payload: {},
      remoteAddress: "127.0.0.1",
    });
    assert.equal(response.statusCode, 409, expected);
    assert.equal(response.json().error.code, "daemon_mismatch");
    assert.match(
      response.json().error.message,
      /This netclawd \(pid 4242\) serves the netclaw home \/srv\/home-b/,
    );
    assert.equal(response.headers["x-netclaw-pid"], undefined);
  }
  assert.equal(calls(), 0);
});

test("the home path is named only to a trusted local caller", async () => {
  for (const [trustLoopback, remoteAddress] of [
    [false, "127.0.0.1"],
    [true, "192.0.2.7"],
  ] as const) {
    const { app } = setup({ trustLoopback });
    const response = await app.inject({
      method: "POST",
      url: "/api/act",
      headers: { "x-netclaw-home": "none" },
      remoteAddress,
    });
    assert.equal(response.statusCode, 409);
    assert.doesNotMatch(response.body, /srv\/home-b/);
    assert.match(response.json().error.message, /serves another netclaw home/);
  }
});

test("the right home passes and is echoed with the pid; no header passes without either", async () => {
  const { app, calls } = setup({ trustLoopback: true });
  const matched = await app.inject({
    method: "POST",
    url: "/api/act",
    headers: { "x-netclaw-home": HOME_ID },
    payload: {},
    remoteAddress: "127.0.0.1",
  });
  assert.equal(matched.statusCode, 200);
  assert.equal(matched.headers["x-netclaw-home"], HOME_ID);
  assert.equal(matched.headers["x-netclaw-pid"], "4242");
  const plain = await app.inject({
    method: "POST",
    url: "/api/act",
    payload: {},
    remoteAddress: "127.0.0.1",
  });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers["x-netclaw-home"], undefined);
  assert.equal(calls(), 2);
});

test("a foreign Host is refused by the host guard first: the home path never reaches a rebinding page", async () => {
  const { app, calls } = setup({ trustLoopback: true, enforceHost: true });
  const foreign = await app.inject({
    method: "POST",
    url: "/api/act",
    headers: { host: "evil.example", "x-netclaw-home": "none" },
    remoteAddress: "127.0.0.1",
  });
  assert.equal(foreign.statusCode, 403);
  assert.doesNotMatch(foreign.body, /home-b|4242/);
  // The CLI of this home, refused for another reason, still learns it reached its own daemon.
  const own = await app.inject({
    method: "POST",
    url: "/api/act",
    headers: { host: "evil.example", "x-netclaw-home": HOME_ID },
    remoteAddress: "127.0.0.1",
  });
  assert.equal(own.statusCode, 403);
  assert.equal(own.headers["x-netclaw-home"], HOME_ID);
  assert.equal(calls(), 0);
});
