import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cleanEnv, ROOT, runCommand, startDaemon, tempHomes } from "./helpers/processes.ts";
import { namespacesAvailable, pairDevice, raw } from "./helpers/remote.ts";

const homes = tempHomes();
after(() => homes.cleanup());

const PROTECTED = "/api/health/status";
const TRUSTED_PEER = "127.0.0.2";
const UNTRUSTED_PEER = "127.0.0.3";

type Case =
  | "loopback, no token"
  | "loopback, bad token"
  | "valid token"
  | "revoked token"
  | "forwarded, trusted peer"
  | "forwarded, untrusted peer"
  | "valid token, forwarded, untrusted peer";

/** Expected status of the protected endpoint per case: only `local` trusts a loopback caller. */
function expected(mode: string): Record<Case, number> {
  const local = mode === "local";
  return {
    "loopback, no token": local ? 200 : 401,
    "loopback, bad token": 401,
    "valid token": 200,
    "revoked token": 401,
    // Forwarded headers never add trust: the loopback peer is what counts, and only in local mode.
    "forwarded, trusted peer": local ? 200 : 401,
    "forwarded, untrusted peer": local ? 200 : 401,
    "valid token, forwarded, untrusted peer": 200,
  };
}

describe("security matrix: exposure mode × caller → protected endpoint", () => {
  for (const mode of ["local", "tailscale-serve", "tailscale-funnel", "cloudflare-tunnel"]) {
    test(mode, async () => {
      const home = homes.home();
      // The tunnel process probe has its own tests (tunnel-modes.test.ts); here the auth rules.
      const daemon = await startDaemon({
        env: cleanEnv({
          NETCLAW_HOME: home,
          NETCLAW_Daemon__ExposureMode: mode,
          NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
          NETCLAW_Daemon__TrustedProxies__0: TRUSTED_PEER,
        }),
      });
      try {
        const valid = await pairDevice({ url: daemon.url, home, name: "matrix-device" });
        const revoked = await pairDevice({ url: daemon.url, home, name: "revoked-device" });
        const revoke = await raw({
          url: daemon.url,
          path: "/api/pair/devices/revoked-device",
          method: "DELETE",
          headers: { authorization: `Bearer ${valid}` },
        });
        assert.equal(revoke.status, 204);
        const forwarded = { "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https" };
        const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
        const calls: Record<Case, () => ReturnType<typeof raw>> = {
          "loopback, no token": () => raw({ url: daemon.url, path: PROTECTED }),
          "loopback, bad token": () =>
            raw({ url: daemon.url, path: PROTECTED, headers: bearer(randomBytes(32).toString("base64url")) }),
          "valid token": () => raw({ url: daemon.url, path: PROTECTED, headers: bearer(valid) }),
          "revoked token": () => raw({ url: daemon.url, path: PROTECTED, headers: bearer(revoked) }),
          "forwarded, trusted peer": () =>
            raw({ url: daemon.url, path: PROTECTED, headers: forwarded, localAddress: TRUSTED_PEER }),
          "forwarded, untrusted peer": () =>
            raw({ url: daemon.url, path: PROTECTED, headers: forwarded, localAddress: UNTRUSTED_PEER }),
          "valid token, forwarded, untrusted peer": () =>
            raw({
              url: daemon.url,
              path: PROTECTED,
              headers: { ...forwarded, ...bearer(valid) },
              localAddress: UNTRUSTED_PEER,
            }),
        };
        const actual: Record<string, number> = {};
        for (const [name, call] of Object.entries(calls)) actual[name] = (await call()).status;
        assert.deepEqual(actual, expected(mode));
        if (mode !== "local") await anonymousSurface(daemon.url);
      } finally {
        await daemon.stop();
      }
    });
  }

  test("reverse-proxy, in a private network namespace (bound to 10.9.0.1, proxy 10.9.0.2)", async (t) => {
    if (!namespacesAvailable()) {
      t.skip("unprivileged user/network namespaces are not available here");
      return;
    }
    const home = homes.home();
    // A fresh network namespace has only its own loopback device: addresses added to it are
    // reachable from inside and from nowhere else, so a non-loopback bind exposes nothing.
    const setup = [
      "ip link set lo up",
      "ip addr add 10.9.0.1/32 dev lo",
      "ip addr add 10.9.0.2/32 dev lo",
      "ip addr add 10.9.0.3/32 dev lo",
      'exec "$0" "$1"',
    ].join(" && ");
    const fixture = join(ROOT, "test", "fixtures", "reverse-proxy-matrix.ts");
    const result = await runCommand(
      "unshare",
      ["-rn", "sh", "-c", setup, process.execPath, fixture],
      cleanEnv({ NETCLAW_HOME: home }),
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      matrix: Record<string, number>;
      buckets: Record<string, number>;
    };
    assert.deepEqual(report.matrix, {
      "loopback, no token": 401,
      "loopback, bad token": 401,
      "valid token": 200,
      "revoked token": 401,
      "forwarded, trusted peer": 401,
      "forwarded, untrusted peer": 401,
      "valid token, forwarded, untrusted peer": 200,
    });
    assert.deepEqual(report.buckets, {
      "trusted peer, exhausted client": 429,
      "trusted peer, other client": 400,
      "trusted peer, spoofed left entry, same client": 429,
      "untrusted peer, exhausted": 429,
      "untrusted peer, other forwarded client": 429,
    });
  });

  test("only health/ready and the two pairing endpoints are anonymous in the source", () => {
    const dir = join(ROOT, "src", "daemon", "http", "routes");
    const anonymous = readdirSync(dir)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
      .flatMap((file) =>
        [...readFileSync(join(dir, file), "utf8").matchAll(/anonymous: true/g)].map(() => file),
      );
    assert.deepEqual(anonymous.sort(), ["health.ts", "local-control.ts", "pairing.ts"]);
  });
});

/** Anonymous endpoints answer without a token; every other path (even unknown ones) is 401. */
async function anonymousSurface(url: string): Promise<void> {
  const from = "127.0.0.4";
  const ready = await raw({ url, path: "/api/health/ready", localAddress: from });
  assert.equal(ready.status, 200);
  for (const path of ["/api/local-control/v1/pairing-code", "/api/pair/exchange"]) {
    const res = await raw({ url, path, method: "POST", body: "{}", localAddress: from });
    assert.equal(res.status, 400, `${path} is anonymous and validates its body`);
  }
  for (const [method, path] of [
    ["GET", "/api/health/status"],
    ["GET", "/api/pair/devices"],
    ["DELETE", "/api/pair/devices/matrix-device"],
    ["POST", "/api/lifecycle/shutdown?reason=test"],
    ["GET", "/api/openapi.json"],
    ["GET", "/api/does-not-exist"],
  ] as const) {
    const res = await raw({ url, path, method, localAddress: from });
    assert.equal(res.status, 401, `${method} ${path}`);
  }
}
