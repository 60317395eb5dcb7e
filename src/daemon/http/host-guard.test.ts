import assert from "node:assert/strict";
import { test } from "node:test";
import { createHostGuard } from "./host-guard.ts";

const PORT = 5453;
const local = createHostGuard({ bindHost: "127.0.0.1", port: PORT, allowedHosts: [], enforceHost: true });
const code = (verdict: ReturnType<typeof local>) => (verdict.ok ? "ok" : verdict.code);

test("local mode: Host must be a local name with the daemon's own port", () => {
  for (const host of [`localhost:${PORT}`, `127.0.0.1:${PORT}`, `LOCALHOST:${PORT}`, `127.0.0.2:${PORT}`]) {
    assert.equal(code(local(["Host", host])), "ok", host);
  }
  for (const host of [
    `localhost:${PORT}@evil.com`,
    `evil.com:${PORT}`,
    `localhost:${PORT + 1}`,
    "localhost",
    `[::1]:${PORT}`,
    `localhost.:${PORT}`,
  ]) {
    assert.equal(code(local(["Host", host])), "host_not_allowed", host);
  }
  assert.equal(code(local([])), "host_not_allowed", "no Host at all");
});

test("bound to the name localhost, loopback literals of both families are local names", () => {
  const named = createHostGuard({ bindHost: "localhost", port: PORT, allowedHosts: [], enforceHost: true });
  for (const host of [`localhost:${PORT}`, `127.0.0.1:${PORT}`, `[::1]:${PORT}`]) {
    assert.equal(code(named(["Host", host])), "ok", host);
  }
  assert.equal(code(named(["Host", `10.0.0.1:${PORT}`])), "host_not_allowed");
});

test("a second Host header is refused in every mode, even one that does not check names", () => {
  const open = createHostGuard({ bindHost: "0.0.0.0", port: PORT, allowedHosts: [], enforceHost: false });
  for (const guard of [local, open]) {
    const verdict = guard(["Host", `localhost:${PORT}`, "host", `evil.com:${PORT}`]);
    assert.equal(code(verdict), "host_not_allowed");
    assert.match((verdict as { message: string }).message, /Only one Host header/);
  }
  assert.equal(code(open(["Host", "anything.example:8443"])), "ok", "names are not checked here");
  assert.equal(code(open(["Host", "a@b"])), "host_not_allowed", "but the syntax is");
});

test("AllowedHosts names take any port; a wildcard bind accepts IP literals, not names", () => {
  const tunnel = createHostGuard({
    bindHost: "0.0.0.0",
    port: PORT,
    allowedHosts: ["Netclaw.Example.ts.net"],
    enforceHost: false,
  });
  assert.equal(code(tunnel(["Host", "netclaw.example.ts.net"])), "ok");
  assert.equal(code(tunnel(["Host", "netclaw.example.ts.net:8443"])), "ok");
  assert.equal(code(tunnel(["Host", "10.0.0.7:8080"])), "ok");
  assert.equal(code(tunnel(["Host", `localhost:${PORT}`])), "ok");
  assert.equal(code(tunnel(["Host", "localhost:8080"])), "host_not_allowed");
  assert.equal(code(tunnel(["Host", "evil.example"])), "host_not_allowed");
});

test("any Origin must be the daemon's own origin or an AllowedHosts name; null and other ports are refused", () => {
  const host = ["Host", `localhost:${PORT}`];
  for (const origin of [`http://localhost:${PORT}`, `http://127.0.0.1:${PORT}`]) {
    assert.equal(code(local([...host, "Origin", origin])), "ok", origin);
  }
  for (const origin of [
    "null",
    `http://localhost:${PORT + 1}`,
    "http://localhost:3000",
    `https://localhost:${PORT}`,
    `http://localhost:${PORT}/`,
    `http://evil.com:${PORT}`,
    `http://localhost:${PORT}@evil.com`,
    "http://localhost",
    "",
  ]) {
    assert.equal(code(local([...host, "Origin", origin])), "origin_not_allowed", origin);
  }
  const twice = local([...host, "Origin", `http://localhost:${PORT}`, "Origin", "https://evil.com"]);
  assert.equal(code(twice), "origin_not_allowed");
  const tunnel = createHostGuard({
    bindHost: "0.0.0.0",
    port: PORT,
    allowedHosts: ["netclaw.example.ts.net"],
    enforceHost: false,
  });
  const tunnelHost = ["Host", "netclaw.example.ts.net"];
  assert.equal(code(tunnel([...tunnelHost, "Origin", "https://netclaw.example.ts.net"])), "ok");
  assert.equal(code(tunnel([...tunnelHost, "Origin", "http://10.0.0.7:5453"])), "origin_not_allowed");
  const bare = createHostGuard({ bindHost: "0.0.0.0", port: PORT, allowedHosts: [], enforceHost: false });
  assert.equal(
    code(bare(["Host", "evil.example", "Origin", "https://evil.example"])),
    "origin_not_allowed",
    "modes that skip the Host check still refuse a foreign Origin (anonymous routes included)",
  );
});

test("without Origin, fetch metadata from another site or port is refused", () => {
  const host = ["Host", `localhost:${PORT}`];
  for (const site of ["cross-site", "same-site", "Cross-Site"]) {
    assert.equal(code(local([...host, "Sec-Fetch-Site", site])), "origin_not_allowed", site);
  }
  for (const site of ["same-origin", "none"]) {
    assert.equal(code(local([...host, "Sec-Fetch-Site", site])), "ok", site);
  }
});

test("messages quote at most 100 characters of a header", () => {
  const verdict = local(["Host", `${"a".repeat(5000)}.example`]);
  assert.equal(verdict.ok, false);
  assert.ok((verdict as { message: string }).message.length < 400);
});
