import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAuthority, parseOrigin } from "./authority.ts";

test("a Host is host[:port] exactly: names, IPv4, bracketed IPv6, a valid port", () => {
  assert.deepEqual(parseAuthority("localhost:5453"), { hostname: "localhost", port: 5453 });
  assert.deepEqual(parseAuthority("LocalHost"), { hostname: "localhost", port: undefined });
  assert.deepEqual(parseAuthority("127.0.0.1:1"), { hostname: "127.0.0.1", port: 1 });
  assert.deepEqual(parseAuthority("[::1]:65535"), { hostname: "::1", port: 65535 });
  assert.deepEqual(parseAuthority("[0:0:0:0:0:0:0:1]"), { hostname: "::1", port: undefined });
  assert.deepEqual(parseAuthority("netclaw.example.ts.net"), {
    hostname: "netclaw.example.ts.net",
    port: undefined,
  });
});

test("userinfo, paths, second colons, bad ports and odd spellings are not a Host", () => {
  for (const value of [
    "localhost:5453@evil.com",
    "evil.com@localhost:5453",
    "localhost@evil.com",
    "localhost:5453/evil",
    "localhost:5453?x",
    "localhost:5453#x",
    "localhost:",
    "localhost:0",
    "localhost:65536",
    "localhost:05453",
    "localhost:+5453",
    "localhost:54 53",
    " localhost:5453",
    "localhost:5453:1",
    "::1",
    "[::1",
    "[::1]5453",
    "[::1]:",
    "[localhost]:5453",
    "[::1]:5453@evil.com",
    "localhost.",
    "local_host",
    "-localhost",
    "127.1",
    "2130706433",
    "loc%61lhost",
    "",
  ]) {
    assert.equal(parseAuthority(value), undefined, value);
  }
});

test("an Origin is exactly scheme://host[:port] as a browser serialises it", () => {
  assert.deepEqual(parseOrigin("http://localhost:5453"), {
    scheme: "http",
    hostname: "localhost",
    port: 5453,
  });
  assert.deepEqual(parseOrigin("https://netclaw.example.ts.net"), {
    scheme: "https",
    hostname: "netclaw.example.ts.net",
    port: 443,
  });
  assert.deepEqual(parseOrigin("http://[::1]:5453"), { scheme: "http", hostname: "::1", port: 5453 });
  for (const value of [
    "null",
    "",
    "localhost:5453",
    "http://localhost:5453/",
    "http://localhost:5453/x",
    "http://user@localhost:5453",
    "http://localhost:5453@evil.com",
    "http://localhost:80",
    "https://host:443",
    "HTTP://localhost:5453",
    "http://LOCALHOST:5453",
    "file://localhost",
    "ws://localhost:5453",
    "http://localhost:5453?x",
    "http://localhost:5453 ",
    "http:\\\\localhost:5453",
  ]) {
    assert.equal(parseOrigin(value), undefined, value);
  }
});
