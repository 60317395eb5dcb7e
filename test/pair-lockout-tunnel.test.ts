import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  cleanEnv,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempHome,
  tempHomes,
} from "./helpers/processes.ts";
import { issueCode, raw } from "./helpers/remote.ts";

// Tunnel mode (cloudflare-tunnel; the process check skipped, as for a sidecar): every client
// arrives from loopback, and cloudflared names the real one in CF-Connecting-IP. The pairing
// lockout must hit only the guessing client, and the owner's full code from `netclaw daemon pair`
// must get through even a locked bucket. Reaching 10 failures needs two 5/min windows, so this
// waits for the next minute boundary (up to a minute).

let daemon: RunningDaemon;
const h = tempHome();
const remotes = tempHomes();
const env = cleanEnv({
  NETCLAW_HOME: h.home,
  NETCLAW_Daemon__ExposureMode: "cloudflare-tunnel",
  NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
});
before(async () => {
  daemon = await startDaemon({ env });
});
after(async () => {
  await daemon.stop();
  h.cleanup();
  remotes.cleanup();
});

const exchange = (code: string, headers: Record<string, string>, deviceName = "intruder") =>
  raw({
    url: daemon.url,
    path: "/api/pair/exchange",
    method: "POST",
    body: JSON.stringify({ code, deviceName }),
    headers,
  });

const ATTACKER = { "CF-Connecting-IP": "203.0.113.7" };
const BYSTANDER = { "CF-Connecting-IP": "203.0.113.8" };
// No CF-Connecting-IP (a process on this host, or a forged X-Forwarded-For that cloudflared
// would never send): all of these share the one "unknown" bucket.
const HEADERLESS = { "X-Forwarded-For": "198.51.100.1" };

/** `netclaw daemon pair` on the host, as the owner runs it: the short and the full code. */
async function daemonPair(): Promise<{ code: string; full: string }> {
  const result = await runCli(["daemon", "pair"], { ...env, NETCLAW_Daemon__Port: String(daemon.port) });
  assert.equal(result.code, 0, result.stderr);
  const code = /^Pairing code: {2}(\S+)$/m.exec(result.stdout)?.[1];
  const full = /enter the full code instead: ([2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3})$/m.exec(
    result.stdout,
  )?.[1];
  assert.ok(code && full, result.stdout);
  assert.ok(full.startsWith(code));
  return { code, full };
}

test("the lockout keys on the tunnel's client address; the owner's full code gets through a locked bucket", async () => {
  await issueCode({ url: daemon.url, home: h.home });
  const wave = async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await exchange("ZZZZ-ZZZZ", ATTACKER)).status, 401);
      assert.equal((await exchange("ZZZZ-ZZZZ", HEADERLESS)).status, 401);
    }
  };
  if (Date.now() % 60_000 > 50_000) await sleep(60_000 - (Date.now() % 60_000) + 50);
  await wave();
  await sleep(60_000 - (Date.now() % 60_000) + 50);
  await wave();

  const first = await daemonPair();
  for (const [who, headers] of [
    ["attacker", ATTACKER],
    ["header-less caller", HEADERLESS],
    ["header-less caller without any header", {}],
  ] as const) {
    const locked = await exchange(first.code, headers);
    assert.equal(locked.status, 429, who);
    assert.equal(JSON.parse(locked.body).error.message, "Too many failed attempts. Try again later.");
  }
  const bystander = await exchange(first.code, BYSTANDER, "bystander-phone");
  assert.equal(bystander.status, 200, `another tunnel client is not locked out: ${bystander.body}`);

  // The owner shares the attacker's address and still pairs, with the full code.
  const second = await daemonPair();
  assert.equal((await exchange(second.code, ATTACKER)).status, 429);
  const owner = await exchange(second.full, ATTACKER, "owner-laptop");
  assert.equal(owner.status, 200, owner.body);

  // And through the real `netclaw pair` from this host (no tunnel header: the locked bucket).
  const third = await daemonPair();
  const remote = remotes.home();
  const refused = await runCli(
    ["pair", daemon.url, "--code", third.code, "--name", "host-cli"],
    cleanEnv({ NETCLAW_HOME: remote }),
  );
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /Too many failed attempts\. Try again later\. Retry after \d+ s, or enter the full code/,
  );
  const paired = await runCli(
    ["pair", daemon.url, "--code", third.full, "--name", "host-cli"],
    cleanEnv({ NETCLAW_HOME: remote }),
  );
  assert.equal(paired.code, 0, paired.stderr);
  assert.match(paired.stdout, /Paired with http:\/\/127\.0\.0\.1:\d+ as 'host-cli'\./);
});
