import assert from "node:assert/strict";
import { test } from "node:test";
import { createProxyTrust } from "./proxy-trust.ts";

test("only the direct peer (hop 0) is trusted, and only when it is listed", () => {
  const trust = createProxyTrust(["10.0.0.5", "192.168.1.0/24", "fd00::/8"]);
  assert.equal(trust("10.0.0.5", 0), true);
  assert.equal(trust("10.0.0.6", 0), false);
  assert.equal(trust("192.168.1.77", 0), true);
  assert.equal(trust("192.168.2.1", 0), false);
  assert.equal(trust("fd12::1", 0), true);
  assert.equal(trust("fe80::1", 0), false);
  assert.equal(trust("::ffff:10.0.0.5", 0), true, "an IPv4-mapped peer matches its IPv4 entry");
  assert.equal(trust("10.0.0.5", 1), false, "ForwardLimit 1: a second hop is never trusted");
  assert.equal(trust("not-an-ip", 0), false);
});

test("an empty list trusts nobody; 0.0.0.0/0 trusts every IPv4 peer at hop 0 only", () => {
  assert.equal(createProxyTrust([])("127.0.0.1", 0), false);
  const all = createProxyTrust(["0.0.0.0/0"]);
  assert.equal(all("203.0.113.9", 0), true);
  assert.equal(all("203.0.113.9", 1), false);
});
