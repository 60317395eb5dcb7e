import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildInfo } from "../src/protocol/build-info.ts";
import { createFakeRegistry } from "./fakes/fake-registry.ts";
import {
  cleanEnv,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempHomes,
} from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);
const home = homes.home;
const current = buildInfo().version;

describe("netclaw basics", () => {
  test("--version prints version and commit", async () => {
    const result = await runCli(["--version"], cleanEnv({}));
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^netclaw \d+\.\d+\.\d+\S* \(commit [0-9a-f]{7}|unknown\)\n$/);
  });

  test("an unknown command is exit 2 with the exact message", async () => {
    const result = await runCli(["frobnicate"], cleanEnv({}));
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "netclaw: 'frobnicate' is not a netclaw command. See 'netclaw --help'.\n");
  });

  test("no arguments prints help and exits 2; --help exits 0", async () => {
    const bare = await runCli([], cleanEnv({}));
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Usage: netclaw/);
    const help = await runCli(["--help"], cleanEnv({}));
    assert.equal(help.code, 0);
    assert.match(help.stdout, /status/);
    assert.match(help.stdout, /doctor/);
  });

  test("an unknown option is a usage error (exit 2)", async () => {
    const result = await runCli(["status", "--bogus"], cleanEnv({}));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--bogus'/);
  });
});

describe("netclaw status", () => {
  let daemon: RunningDaemon;
  let dir: string;
  before(async () => {
    dir = home();
    daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: dir,
        NETCLAW_Providers__openrouter__Type: "openrouter",
        NETCLAW_Providers__openrouter__ApiKey: "sk-or-v1-test",
        NETCLAW_Models__Main__Provider: "openrouter",
        NETCLAW_Models__Main__ModelId: "anthropic/claude-sonnet-4",
      }),
    });
  });
  after(() => daemon.stop());

  test("healthy, configured only by environment variables (no netclaw.json): exit 0", async () => {
    const result = await runCli(
      ["status"],
      cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: String(daemon.port) }),
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^netclaw status: healthy/);
    assert.match(result.stdout, /anthropic\/claude-sonnet-4 via openrouter/);
    assert.match(result.stdout, new RegExp(`pid ${daemon.child.pid}`));
    assert.match(result.stdout, /exposure +local/);
    assert.match(result.stdout, /update +unknown/);
  });

  test("--json carries the status document", async () => {
    const result = await runCli(
      ["status", "--json"],
      cleanEnv({ NETCLAW_HOME: dir, NETCLAW_DAEMON_ENDPOINT: daemon.url }),
    );
    assert.equal(result.code, 0);
    const status = JSON.parse(result.stdout);
    assert.equal(status.overall, "healthy");
    assert.equal(status.process.pid, daemon.child.pid);
    assert.equal(status.exposure.mode, "local");
    assert.equal(status.model.modelId, "anthropic/claude-sonnet-4");
    assert.equal(status.persistence.schemaVersion >= 1, true);
    assert.equal(status.update.state, "unknown");
    assert.equal(status.endpoint, daemon.url);
  });

  test("client/config.json is used when NETCLAW_DAEMON_ENDPOINT is absent", async () => {
    const other = home();
    mkdirSync(join(other, "client"), { recursive: true });
    writeFileSync(join(other, "client", "config.json"), JSON.stringify({ Endpoint: daemon.url }));
    const result = await runCli(["status", "--json"], cleanEnv({ NETCLAW_HOME: other }));
    assert.equal(result.code, 0, result.stdout);
    assert.equal(JSON.parse(result.stdout).endpoint, daemon.url);
  });

  test("no model configured: degraded, exit 2, says so", async () => {
    const bare = home();
    const d = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: bare }) });
    try {
      const result = await runCli(
        ["status"],
        cleanEnv({ NETCLAW_HOME: bare, NETCLAW_DAEMON_ENDPOINT: d.url }),
      );
      assert.equal(result.code, 2);
      assert.match(result.stdout, /^netclaw status: degraded/);
      assert.match(result.stdout, /^ {2}model {7}\(none — No-Op chat client active\)$/m);
      assert.match(result.stdout, /^ {2}! No-Op chat client active: No Main model is configured/m);
    } finally {
      await d.stop();
    }
  });

  test("unreachable: exit 1 with the [FAIL] line and a fix", async () => {
    const port = await freePort();
    const result = await runCli(
      ["status"],
      cleanEnv({ NETCLAW_HOME: home(), NETCLAW_Daemon__Port: String(port) }),
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.split("\n")[0],
      `[FAIL] status: unable to reach daemon at http://127.0.0.1:${port}: connection refused`,
    );
    assert.match(result.stdout, /^ +fix: run `netclaw daemon start`/m);
  });
});

describe("netclaw daemon start | status | stop", () => {
  test("start spawns a detached daemon, status sees it, stop stops it", async () => {
    const dir = home();
    const port = await freePort();
    const env = cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: String(port) });
    const start = await runCli(["daemon", "start"], env);
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, /^Daemon started \(PID \d+\)\.$/m);
    const again = await runCli(["daemon", "start"], env);
    assert.match(again.stdout, /^Daemon already running \(PID \d+\)\.$/m);
    const status = await runCli(["daemon", "status"], env);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^Daemon running \(PID \d+, uptime \d+s\)\.$/m);
    const stop = await runCli(["daemon", "stop"], env);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /^Daemon stopped \(was PID \d+\)\.$/m);
    const after = await runCli(["daemon", "status"], env);
    assert.equal(after.code, 1);
    assert.match(after.stdout, /^Daemon is not running\.$/m);
    const stopAgain = await runCli(["daemon", "stop"], env);
    assert.match(stopAgain.stdout, /^Daemon is not running\.$/m);
  });

  test("start reports the daemon's own abort reason when it dies early", async () => {
    const dir = home();
    const env = cleanEnv({
      NETCLAW_HOME: dir,
      NETCLAW_Daemon__Host: "0.0.0.0",
      NETCLAW_Daemon__Port: String(await freePort()),
    });
    const start = await runCli(["daemon", "start"], env);
    assert.equal(start.code, 1);
    assert.match(
      start.stderr,
      /^Daemon startup aborted: Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address\./m,
    );
  });

  test("under a container supervisor start and stop do not spawn or kill, and say why", async () => {
    const env = cleanEnv({
      NETCLAW_HOME: home(),
      NETCLAW_CONTAINER_SUPERVISOR: "entrypoint",
      NETCLAW_Daemon__Port: String(await freePort()),
    });
    const start = await runCli(["daemon", "start"], env);
    assert.match(start.stdout, /owned by the container supervisor/);
    assert.equal(start.code, 1); // nothing is running here
    const stop = await runCli(["daemon", "stop"], env);
    assert.match(stop.stdout, /docker stop/);
    assert.equal(stop.code, 1);
  });
});

describe("netclaw doctor", () => {
  test("all pass against a configured, running daemon: exit 0", async () => {
    const dir = home();
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(
      join(dir, "config", "netclaw.json"),
      JSON.stringify({
        configVersion: 1,
        Providers: { ol: { Type: "ollama" } },
        Models: { Main: { Provider: "ol", ModelId: "qwen3:0.6b" } },
      }),
    );
    // a reachable release feed that says "up to date": a failed update check would be a warning
    const registry = await createFakeRegistry({ packageName: "netclaw", distTags: { latest: current } });
    const feed = { NETCLAW_Daemon__UpdateFeedUrl: registry.url };
    const d = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: dir, ...feed }) });
    try {
      const result = await runCli(
        ["doctor"],
        cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: String(d.port), ...feed }),
      );
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /^\[PASS\] Update: up to date /m);
      assert.match(result.stdout, /^\[PASS\] Config Schema: /m);
      assert.match(
        result.stdout,
        /^\[PASS\] Exposure Mode: ExposureMode: local \(bound to 127\.0\.0\.1\)\.$/m,
      );
      assert.match(result.stdout, /^\[PASS\] Chat Client: Main model qwen3:0\.6b via ol \(ollama\)$/m);
      assert.match(result.stdout, /^\[PASS\] Daemon: healthy at /m);
      assert.match(result.stdout, /^doctor exit code: 0$/m);
    } finally {
      await d.stop();
      await registry.close();
    }
  });

  test("warnings only: exit 2 (no config yet, unknown key, daemon down is a failure → 1)", async () => {
    const dir = home();
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(join(dir, "config", "netclaw.json"), JSON.stringify({ Daemonn: {} }));
    const result = await runCli(
      ["doctor", "--json"],
      cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: String(await freePort()) }),
    );
    const report = JSON.parse(result.stdout);
    assert.equal(result.code, 1);
    assert.equal(report.exitCode, 1);
    const byName = (name: string) => report.checks.find((c: { name: string }) => c.name === name);
    assert.equal(byName("Config Schema").severity, "warn");
    assert.match(byName("Config Schema").remediation, /configVersion/);
    assert.equal(byName("Unknown Key").severity, "warn");
    assert.equal(byName("Chat Client").severity, "warn");
    assert.equal(byName("Daemon").severity, "fail");
  });

  test("Chat Client names the Fallback and Compaction models when they differ from Main", async () => {
    const dir = home();
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(
      join(dir, "config", "netclaw.json"),
      JSON.stringify({
        configVersion: 1,
        Providers: { ol: { Type: "ollama" }, big: { Type: "ollama", Endpoint: "http://127.0.0.1:11435" } },
        Models: {
          Main: { Provider: "ol", ModelId: "qwen3:8b" },
          Fallback: { Provider: "big", ModelId: "qwen3:30b" },
        },
      }),
    );
    const result = await runCli(
      ["doctor"],
      cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: String(await freePort()) }),
    );
    assert.match(
      result.stdout,
      /^\[PASS\] Chat Client: Main model qwen3:8b via ol \(ollama\); Fallback qwen3:30b via big \(ollama\)$/m,
    );
  });

  test("0.0.0.0 in local mode fails the exposure check with the daemon's message", async () => {
    const result = await runCli(
      ["doctor"],
      cleanEnv({ NETCLAW_HOME: home(), NETCLAW_Daemon__Host: "0.0.0.0", NETCLAW_Daemon__Port: "1" }),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^\[FAIL\] Exposure Mode: Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address\./m,
    );
    assert.match(result.stdout, /^ +fix: Either bind to a loopback address/m);
  });

  test("one configuration problem is reported once, under its most specific check", async () => {
    const variants: { env: Record<string, string>; check: string; message: RegExp }[] = [
      { env: { NETCLAW_Daemon__Host: "0.0.0.0" }, check: "Exposure Mode", message: /Invalid local topology/ },
      {
        env: { NETCLAW_Daemon__ExposureMode: "reverse-proxy" },
        check: "Exposure Mode",
        message: /Invalid reverse-proxy topology/,
      },
      {
        env: { NETCLAW_Daemon__UpdateChannel: "nightly" },
        check: "Update",
        message: /Unknown UpdateChannel/,
      },
      {
        env: {
          NETCLAW_Providers__p__Endpoint: "http://127.0.0.1:9",
          NETCLAW_Models__Main__Provider: "p",
          NETCLAW_Models__Main__ModelId: "m",
        },
        check: "Chat Client",
        message: /Provider 'p' has no Type/,
      },
    ];
    for (const variant of variants) {
      const env = cleanEnv({ NETCLAW_HOME: home(), NETCLAW_Daemon__Port: "1", ...variant.env });
      const result = await runCli(["doctor", "--json"], env);
      assert.equal(result.code, 1, result.stdout);
      const checks = JSON.parse(result.stdout).checks as {
        name: string;
        severity: string;
        message: string;
      }[];
      const reporting = checks.filter((c) => variant.message.test(c.message));
      assert.deepEqual(
        reporting.map((c) => `${c.severity} ${c.name}`),
        [`fail ${variant.check}`],
        JSON.stringify(checks),
      );
      // The generic check stays, pointing at the specific one rather than repeating it.
      const schema = checks.find((c) => c.name === "Config Schema");
      assert.equal(schema?.severity, "info");
      assert.equal(schema?.message, `the daemon refuses this configuration: see ${variant.check}`);
    }
  });

  test("invalid JSON fails the schema check, naming the file", async () => {
    const dir = home();
    mkdirSync(join(dir, "config"), { recursive: true });
    writeFileSync(join(dir, "config", "netclaw.json"), "{nope");
    const result = await runCli(["doctor"], cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: "1" }));
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(
        `^\\[FAIL\\] Config Schema: Invalid JSON in ${join(dir, "config", "netclaw.json").replaceAll(".", "\\.")}`,
        "m",
      ),
    );
  });
});

describe("output to a reader that stops early", () => {
  test("a closed pipe (netclaw … | head) ends the command quietly, without a stack trace", async () => {
    const { spawn } = await import("node:child_process");
    const { NETCLAW } = await import("./helpers/processes.ts");
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn(process.execPath, [NETCLAW, "config", "schema"], {
        env: cleanEnv({ NETCLAW_HOME: home() }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.destroy(); // like `head` exiting before the output is written
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.doesNotMatch(stderr, /Unhandled 'error' event|EPIPE/);
      assert.equal(code, 0);
    }
  });
});
