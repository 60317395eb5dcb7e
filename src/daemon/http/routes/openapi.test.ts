import assert from "node:assert/strict";
import { test } from "node:test";
import { listeningUrl } from "./openapi.ts";

test("listeningUrl: the bound address, a wildcard bind through loopback, IPv6 in brackets", () => {
  assert.equal(listeningUrl({ address: "127.0.0.1", family: "IPv4", port: 5199 }), "http://127.0.0.1:5199");
  assert.equal(listeningUrl({ address: "0.0.0.0", family: "IPv4", port: 80 }), "http://127.0.0.1:80");
  assert.equal(listeningUrl({ address: "::", family: "IPv6", port: 8080 }), "http://[::1]:8080");
  assert.equal(listeningUrl({ address: "::1", family: "IPv6", port: 1 }), "http://[::1]:1");
  assert.equal(listeningUrl({ address: "10.1.2.3", family: "IPv4", port: 443 }), "http://10.1.2.3:443");
});
