import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackHost, parseExposureMode, validateExposureConfig } from "./exposure.ts";
import { runExposureStartupChecks } from "./exposure-checks.ts";

const settings = (overrides: Partial<{ Host: string; ExposureMode: string; TrustedProxies: string[] }>) => ({
  Host: "127.0.0.1",
  ExposureMode: "local",
  TrustedProxies: [] as string[],
  SkipTunnelProcessCheck: false,
  ...overrides,
});

test("loopback hosts", () => {
  for (const host of ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
    assert.ok(isLoopbackHost(host), host);
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1", ""])
    assert.ok(!isLoopbackHost(host), host);
});

test("mode parsing: trim, lowercase, blank is local, unknown is the exact message", () => {
  assert.equal(parseExposureMode(" Tailscale-Serve "), "tailscale-serve");
  assert.equal(parseExposureMode("tailscaleserve"), "tailscale-serve");
  assert.equal(parseExposureMode(""), "local");
  const problem = parseExposureMode("public");
  assert.equal(typeof problem, "object");
  assert.equal(
    (problem as { message: string }).message,
    "Unknown ExposureMode value: 'public'. Valid values: local, reverse-proxy, tailscale-serve, tailscale-funnel, cloudflare-tunnel.",
  );
});

test("0.0.0.0 in local mode is the exact local-topology message", () => {
  const result = validateExposureConfig(settings({ Host: "0.0.0.0" }));
  assert.ok("message" in result);
  assert.equal(
    result.message,
    "Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address. ExposureMode 'local' requires binding to 127.0.0.1, ::1, or localhost.",
  );
  assert.equal(
    result.remediation,
    "Either bind to a loopback address, or set Daemon.ExposureMode to the appropriate tunnel or reverse-proxy mode for non-loopback traffic.",
  );
});

test("trusted proxy entries are checked first, in every mode", () => {
  const cases: [string, string][] = [
    ["", "Invalid trusted proxy entry ''. Value cannot be empty."],
    ["proxy.local", "Invalid trusted proxy entry 'proxy.local'. Value is not a valid IP address or CIDR."],
    ["10.0.0.300/24", "Invalid trusted proxy entry '10.0.0.300/24'. '10.0.0.300' is not a valid IP address."],
    ["10.0.0.0/x", "Invalid trusted proxy entry '10.0.0.0/x'. 'x' is not a valid CIDR prefix length."],
    [
      "10.0.0.0/33",
      "Invalid trusted proxy entry '10.0.0.0/33'. CIDR prefix length must be between 0 and 32.",
    ],
    ["::/129", "Invalid trusted proxy entry '::/129'. CIDR prefix length must be between 0 and 128."],
  ];
  for (const [entry, message] of cases) {
    const result = validateExposureConfig(settings({ Host: "0.0.0.0", TrustedProxies: [entry] }));
    assert.ok("message" in result, entry);
    assert.equal(result.message, message);
  }
  assert.deepEqual(
    validateExposureConfig(settings({ TrustedProxies: ["10.0.0.5", "10.0.0.0/24", "fd00::/8"] })),
    { mode: "local" },
  );
});

test("non-local order: tunnel process, then remote auth, then reverse-proxy topology", () => {
  const tunnel = runExposureStartupChecks({
    settings: settings({ ExposureMode: "tailscale-serve" }),
    pairedDevices: () => 0,
    isProcessRunning: () => false,
  });
  assert.ok("message" in tunnel);
  assert.match(
    tunnel.message,
    /^Tunnel prerequisite not met: ExposureMode='tailscale-serve' requires 'tailscaled' to be running/,
  );

  const auth = runExposureStartupChecks({
    settings: settings({ ExposureMode: "cloudflare-tunnel" }),
    pairedDevices: () => 0,
    isProcessRunning: (name) => name === "cloudflared",
  });
  assert.ok("message" in auth);
  assert.match(auth.message, /^No remote authentication available: ExposureMode='cloudflare-tunnel'/);

  const proxy = runExposureStartupChecks({
    settings: settings({ ExposureMode: "reverse-proxy", Host: "127.0.0.1" }),
    pairedDevices: () => 1,
  });
  assert.ok("message" in proxy);
  assert.match(proxy.message, /^Invalid reverse-proxy topology: Daemon.Host '127.0.0.1' is loopback/);

  assert.deepEqual(
    runExposureStartupChecks({
      settings: settings({ ExposureMode: "reverse-proxy", Host: "10.0.0.2", TrustedProxies: ["10.0.0.1"] }),
      pairedDevices: () => 1,
    }),
    { mode: "reverse-proxy" },
  );
});

test("step 4 seeds between the tunnel probe and the device count, never in local mode", () => {
  const calls: string[] = [];
  const run = (mode: string, running: boolean) =>
    runExposureStartupChecks({
      settings: settings({ ExposureMode: mode }),
      isProcessRunning: () => {
        calls.push("probe");
        return running;
      },
      seedBootstrap: () => calls.push("seed"),
      pairedDevices: () => {
        calls.push("count");
        return 1;
      },
    });
  assert.deepEqual(run("tailscale-serve", true), { mode: "tailscale-serve" });
  assert.deepEqual(calls.splice(0), ["probe", "seed", "count"]);
  run("tailscale-serve", false);
  assert.deepEqual(calls.splice(0), ["probe"], "no seeding when the tunnel is missing");
  run("local", true);
  assert.deepEqual(calls.splice(0), [], "local stops after the topology check");
});

test("step 6: a tunnel mode without the device-bearer scheme is refused with the exact message", () => {
  const result = runExposureStartupChecks({
    settings: { ...settings({ ExposureMode: "cloudflare-tunnel" }), SkipTunnelProcessCheck: true },
    pairedDevices: () => 1,
    deviceBearerRegistered: false,
  });
  assert.equal(
    (result as { message: string }).message,
    "Tunnel exposure mode requires the device-bearer authentication scheme to be registered.",
  );
});
