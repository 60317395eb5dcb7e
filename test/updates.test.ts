import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildInfo } from "../src/protocol/build-info.ts";
import { createFakeRegistry } from "./fakes/fake-registry.ts";
import { cleanEnv, runCli, runDaemonToExit, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);
const current = buildInfo().version;

async function statusOf(url: string) {
  const response = await fetch(`${url}/api/health/status`);
  return ((await response.json()) as { update: Record<string, unknown> }).update;
}

async function waitForUpdate(url: string, state: string) {
  for (let i = 0; i < 100; i++) {
    const update = await statusOf(url);
    if (update.state === state) return update;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`update state never became ${state}`);
}

describe("update-availability check", () => {
  test("a newer stable release shows in status, the CLI and the log, once", async () => {
    const registry = await createFakeRegistry({
      packageName: "netclaw",
      distTags: { latest: "99.0.0", beta: "99.1.0-beta.1" },
    });
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__UpdateFeedUrl: registry.url });
    const daemon = await startDaemon({ env });
    try {
      const update = await waitForUpdate(daemon.url, "update-available");
      assert.equal(update.currentVersion, current);
      assert.equal(update.latestVersion, "99.0.0");
      assert.equal(update.channel, "stable");
      assert.equal(update.selfUpdateDisabled, false);
      assert.ok(update.checkedAt);
      assert.equal(registry.requests.length, 1);
      assert.equal(registry.requests[0]!.path, "/-/package/netclaw/dist-tags");

      const cliEnv = { ...env, NETCLAW_Daemon__Port: String(daemon.port) };
      const status = await runCli(["status"], cliEnv);
      assert.match(
        status.stdout,
        new RegExp(`update +update available: ${current.replaceAll(".", "\\.")} → 99\\.0\\.0`),
      );
      const doctor = await runCli(["doctor"], cliEnv);
      assert.match(
        doctor.stdout,
        new RegExp(
          `^\\[WARN\\] Update: Update available: v${current.replaceAll(".", "\\.")} → v99\\.0\\.0$`,
          "m",
        ),
      );
      assert.match(doctor.stdout, /^ +fix: Run `netclaw update` to upgrade\.$/m);
      const check = await runCli(["update", "--check"], cliEnv);
      assert.equal(check.code, 0);
      assert.equal(check.stdout, `Update available: v${current} → v99.0.0\n`);
    } finally {
      await daemon.stop();
      await registry.close();
    }
    const log = readdirSync(join(home, "logs")).find((f) => f.startsWith("daemon-"))!;
    const lines = readFileSync(join(home, "logs", log), "utf8")
      .split("\n")
      .filter((l) => l.includes("Netclaw update available"));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /Netclaw update available: .* → 99\.0\.0\. Run 'netclaw update' to upgrade\./);
  });

  test("the beta channel takes the beta tag; up to date says so", async () => {
    const registry = await createFakeRegistry({
      packageName: "netclaw",
      distTags: { latest: current, beta: "99.1.0-beta.1" },
    });
    try {
      const env = cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__UpdateFeedUrl: registry.url });
      const stable = await runCli(["update", "--check"], env);
      assert.equal(stable.stdout, `Netclaw is up to date (v${current}).\n`);
      const beta = await runCli(["update", "--check"], { ...env, NETCLAW_Daemon__UpdateChannel: "beta" });
      assert.equal(beta.stdout, `Update available: v${current} → v99.1.0-beta.1\n`);
    } finally {
      await registry.close();
    }
  });

  test("--channel is validated and saved to netclaw.json without touching other keys", async () => {
    const registry = await createFakeRegistry({ packageName: "netclaw", distTags: { latest: current } });
    try {
      const home = homes.home();
      mkdirSync(join(home, "config"), { recursive: true });
      writeFileSync(
        join(home, "config", "netclaw.json"),
        JSON.stringify({ configVersion: 1, daemon: { Port: 5199 } }),
      );
      const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__UpdateFeedUrl: registry.url });
      const bad = await runCli(["update", "--check", "--channel", "nightly"], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /Unknown UpdateChannel value: 'nightly'\. Valid values: stable, beta\./);
      const good = await runCli(["update", "--check", "--channel", "beta"], env);
      assert.equal(good.code, 0, good.stderr);
      assert.deepEqual(JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8")), {
        configVersion: 1,
        daemon: { Port: 5199, UpdateChannel: "beta" },
      });
    } finally {
      await registry.close();
    }
  });

  test("--channel writes nothing when the configuration is one the daemon refuses", async () => {
    const variants: { file?: object; env?: Record<string, string>; error: RegExp }[] = [
      {
        file: { configVersion: 1, Daemon: { TrustedProxies: ["nope"] } },
        error: /Invalid trusted proxy entry 'nope'/,
      },
      { file: { configVersion: 1, Models: { Main: { Provider: "ghost", ModelId: "m" } } }, error: /ghost/ },
      { env: { NETCLAW_Daemon__Host: "0.0.0.0" }, error: /Invalid local topology/ },
    ];
    for (const variant of variants) {
      const home = homes.home();
      mkdirSync(join(home, "config"), { recursive: true });
      const file = join(home, "config", "netclaw.json");
      const before = variant.file ? JSON.stringify(variant.file) : undefined;
      if (before) writeFileSync(file, before);
      const env = cleanEnv({ NETCLAW_HOME: home, ...variant.env });
      const result = await runCli(["update", "--check", "--channel", "beta"], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, variant.error);
      assert.match(result.stderr, /Nothing was written/);
      assert.doesNotMatch(result.stdout, /Update channel set/);
      if (before) assert.equal(readFileSync(file, "utf8"), before);
      else assert.ok(!existsSync(file), "netclaw.json was created");
    }
  });

  test("self-update disabled (the Docker image) prints the exact message and exits 1", async () => {
    const result = await runCli(
      ["update"],
      cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__DisableSelfUpdate: "true" }),
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "Self-update is disabled (Daemon.DisableSelfUpdate=true). Pull a newer container image to upgrade.\n",
    );
  });

  test("a feed that hangs never delays readiness; a failing feed leaves the state unknown", async () => {
    const registry = await createFakeRegistry({
      packageName: "netclaw",
      distTags: { latest: "99.0.0" },
      failWith: "hang",
    });
    const daemon = await startDaemon({
      env: cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__UpdateFeedUrl: registry.url }),
    });
    try {
      const update = await statusOf(daemon.url);
      assert.equal(update.state, "unknown");
      assert.equal(update.latestVersion, null);
    } finally {
      await daemon.stop();
      await registry.close();
    }
    const failing = await createFakeRegistry({
      packageName: "netclaw",
      distTags: {},
      failWith: { status: 503 },
    });
    try {
      const env = cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__UpdateFeedUrl: failing.url });
      const check = await runCli(["update", "--check"], env);
      assert.equal(check.code, 1);
      assert.match(check.stderr, /Could not check for updates: the release feed answered HTTP 503/);
      // doctor: a failed check is a warning with the reason and the fix, never PASS
      const doctor = await runCli(["doctor"], env);
      assert.match(
        doctor.stdout,
        /^\[WARN\] Update: could not check for updates: the release feed answered HTTP 503$/m,
      );
      assert.match(
        doctor.stdout,
        new RegExp(`^ +fix: check that ${failing.url} \\(Daemon\\.UpdateFeedUrl\\)`, "m"),
      );
      const report = JSON.parse((await runCli(["doctor", "--json"], env)).stdout) as {
        checks: { name: string; severity: string }[];
      };
      assert.equal(report.checks.find((c) => c.name === "Update")?.severity, "warn");
    } finally {
      await failing.close();
    }
  });

  test("an unknown UpdateChannel stops the daemon with the exact message", async () => {
    const home = homes.home();
    const result = await runDaemonToExit(
      cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__UpdateChannel: "nightly" }),
    );
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /^Daemon startup aborted: Unknown UpdateChannel value: 'nightly'\. Valid values: stable, beta\. Remediation: Set Daemon\.UpdateChannel to stable or beta/m,
    );
  });
});
