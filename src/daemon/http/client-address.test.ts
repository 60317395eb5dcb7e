import assert from "node:assert/strict";
import { test } from "node:test";
import { createClientAddress, rateLimitKey, UNKNOWN_CLIENT } from "./client-address.ts";

const from = (socketAddress: string, rawHeaders: string[] = [], ip = socketAddress) => ({
  socketAddress,
  ip,
  rawHeaders,
});

test("local mode: the socket peer; forwarded headers mean nothing", () => {
  const resolve = createClientAddress({ mode: "local", trustedProxies: [] });
  assert.equal(resolve(from("127.0.0.1", ["X-Forwarded-For", "203.0.113.9"])), "127.0.0.1");
  assert.equal(resolve(from("::ffff:127.0.0.5", ["CF-Connecting-IP", "203.0.113.9"])), "127.0.0.5");
});

test("reverse-proxy mode: fastify's trusted-proxy resolution (request.ip)", () => {
  const resolve = createClientAddress({ mode: "reverse-proxy", trustedProxies: ["10.0.0.2"] });
  assert.equal(
    resolve(from("10.0.0.2", ["X-Forwarded-For", "198.51.100.1"], "198.51.100.1")),
    "198.51.100.1",
  );
});

test("cloudflare-tunnel: CF-Connecting-IP from the tunnel peer (loopback or a trusted sidecar) only", () => {
  const resolve = createClientAddress({ mode: "cloudflare-tunnel", trustedProxies: ["172.18.0.5"] });
  assert.equal(resolve(from("127.0.0.1", ["CF-Connecting-IP", "203.0.113.9"])), "203.0.113.9");
  assert.equal(resolve(from("::1", ["cf-connecting-ip", " 2001:DB8::1 "])), "2001:db8::1");
  assert.equal(resolve(from("172.18.0.5", ["CF-Connecting-IP", "203.0.113.9"])), "203.0.113.9");
  assert.equal(
    resolve(from("192.168.1.50", ["CF-Connecting-IP", "203.0.113.9"])),
    "192.168.1.50",
    "a direct peer cannot name another client",
  );
  assert.equal(
    resolve(from("127.0.0.1", ["X-Forwarded-For", "203.0.113.9"])),
    UNKNOWN_CLIENT,
    "cloudflared's header, not another one",
  );
  for (const bad of [[], ["CF-Connecting-IP", "not-an-ip"], ["CF-Connecting-IP", ""]]) {
    assert.equal(resolve(from("127.0.0.1", bad)), UNKNOWN_CLIENT, JSON.stringify(bad));
  }
  assert.equal(
    resolve(from("127.0.0.1", ["CF-Connecting-IP", "203.0.113.9", "CF-Connecting-IP", "203.0.113.10"])),
    UNKNOWN_CLIENT,
    "two headers: someone added one",
  );
});

test("tailscale modes: the X-Forwarded-For tailscaled sets (its last entry)", () => {
  for (const mode of ["tailscale-serve", "tailscale-funnel"] as const) {
    const resolve = createClientAddress({ mode, trustedProxies: [] });
    assert.equal(resolve(from("127.0.0.1", ["X-Forwarded-For", "100.101.102.103"])), "100.101.102.103");
    assert.equal(resolve(from("127.0.0.1", ["X-Forwarded-For", "1.1.1.1, 100.64.0.7"])), "100.64.0.7");
    assert.equal(resolve(from("127.0.0.1", ["X-Forwarded-For", "::ffff:100.64.0.7"])), "100.64.0.7");
    assert.equal(resolve(from("127.0.0.1", ["CF-Connecting-IP", "100.64.0.7"])), UNKNOWN_CLIENT);
    assert.equal(resolve(from("100.64.0.9", ["X-Forwarded-For", "100.64.0.7"])), "100.64.0.9");
  }
});

test("rate-limit keys: public IPv6 by /64, everything else by address", () => {
  assert.equal(rateLimitKey("203.0.113.9"), "203.0.113.9");
  assert.equal(rateLimitKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(rateLimitKey("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
  assert.equal(rateLimitKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(rateLimitKey("2001:0db8:0001:0002::1"), "2001:db8:1:2::/64");
  assert.notEqual(rateLimitKey("2001:db8:1:3::1"), rateLimitKey("2001:db8:1:2::1"));
  assert.equal(
    rateLimitKey("fd7a:115c:a1e0:ab12:4843:cd96:6258:b240"),
    "fd7a:115c:a1e0:ab12:4843:cd96:6258:b240",
  );
  assert.equal(rateLimitKey("::1"), "::1");
  assert.equal(rateLimitKey(UNKNOWN_CLIENT), UNKNOWN_CLIENT);
});
