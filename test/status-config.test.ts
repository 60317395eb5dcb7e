import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configFingerprint } from "../src/config/config-fingerprint.ts";
import { homePaths } from "../src/config/home.ts";
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

const MODEL_ENV = {
  NETCLAW_Providers__openrouter__Type: "openrouter",
  NETCLAW_Providers__openrouter__ApiKey: "sk-or-v1-test",
  NETCLAW_Models__Main__Provider: "openrouter",
  NETCLAW_Models__Main__ModelId: "anthropic/claude-sonnet-4",
};

// Issue 12 §3: `status` says when the configuration on disk is not what the daemon runs.
describe("netclaw status compares the configuration on disk with the running daemon's", () => {
  let home: string;
  let file: string;
  let daemon: RunningDaemon;
  let good: string;
  before(async () => {
    home = homes.home();
    mkdirSync(join(home, "config"), { recursive: true });
    file = join(home, "config", "netclaw.json");
    // The port lives in the file: with the file broken, the CLI cannot derive it any more.
    good = JSON.stringify({ configVersion: 1, Daemon: { Port: await freePort() } });
    writeFileSync(file, good);
    const env = cleanEnv({ NETCLAW_HOME: home, ...MODEL_ENV });
    delete env.NETCLAW_Daemon__Port;
    daemon = await startDaemon({ env, port: JSON.parse(good).Daemon.Port });
  });
  after(() => daemon.stop());

  test("as loaded: the daemon reports the digest of the files on disk, status says so (exit 0)", async () => {
    const status = await runCli(["status", "--json"], cleanEnv({ NETCLAW_HOME: home }));
    assert.equal(status.code, 0, status.stdout);
    const doc = JSON.parse(status.stdout);
    assert.equal(doc.configFingerprint, configFingerprint(homePaths(home).configDir));
    assert.deepEqual(doc.configOnDisk, { state: "same" });
    const text = await runCli(["status"], cleanEnv({ NETCLAW_HOME: home }));
    assert.match(text.stdout, /^ {2}config {6}as on disk$/m);
  });

  test("a trailing comma on disk: status still finds this home's daemon (pid file) and says the config would not load, exit 2", async () => {
    writeFileSync(file, good.replace(/}$/, ",}"));
    try {
      const status = await runCli(["status"], cleanEnv({ NETCLAW_HOME: home }));
      assert.equal(status.code, 2, status.stdout);
      assert.match(status.stdout, /^netclaw status: degraded$/m);
      assert.match(status.stdout, new RegExp(`pid ${daemon.child.pid}`));
      assert.match(
        status.stdout,
        /^ {2}! config on disk would not load: Invalid JSON in .*netclaw\.json.* Fix: Fix the JSON syntax/m,
      );
      const json = JSON.parse((await runCli(["status", "--json"], cleanEnv({ NETCLAW_HOME: home }))).stdout);
      assert.equal(json.configOnDisk.state, "invalid");
      assert.equal(json.overall, "degraded");
      // Every other command refuses: an unreadable configuration is an error, not a guess.
      const chat = await runCli(["chat", "-p", "hi"], cleanEnv({ NETCLAW_HOME: home }));
      assert.equal(chat.code, 1);
      assert.match(chat.stderr, /^error: Invalid JSON in /m);
    } finally {
      writeFileSync(file, good);
    }
  });

  test("a bad variable in the CLI's environment: the same verdict, naming the variable", async () => {
    const status = await runCli(["status"], cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: "abc" }));
    assert.equal(status.code, 2, status.stdout);
    assert.match(status.stdout, /! config on disk would not load: .*NETCLAW_Daemon__Port: "abc"/);
  });

  test("an equivalent edit (only whitespace) counts as applied: status returns to 'as on disk'", async () => {
    writeFileSync(file, JSON.stringify(JSON.parse(good), null, 4));
    // The daemon notices within about a second; the generous bound only stops a broken build.
    const deadline = Date.now() + 60_000;
    let state = "";
    while (Date.now() < deadline) {
      const status = await runCli(["status", "--json"], cleanEnv({ NETCLAW_HOME: home }));
      state = JSON.parse(status.stdout).configOnDisk?.state;
      if (state === "same") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(state, "same");
  });

  test("files changed but not applied yet: 'differs (restart or wait for reload)'", async () => {
    // The daemon applies a change within a second, so the not-yet-applied state is played by a
    // server that answers as this home's daemon with the digest of an older file.
    const real = (await (await fetch(`${daemon.url}/api/health/status`)).json()) as Record<string, unknown>;
    const other = homes.home();
    mkdirSync(join(other, "config"), { recursive: true });
    const id = "0123456789abcdef0123456789abcdef";
    writeFileSync(join(other, "config", "home-id"), `${id}\n`);
    const server = createServer((request, response) => {
      response.setHeader("x-netclaw-home", String(request.headers["x-netclaw-home"]));
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ...real, homeId: id, configFingerprint: "0".repeat(64) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const status = await runCli(
        ["status"],
        cleanEnv({ NETCLAW_HOME: other, NETCLAW_Daemon__Port: String(port) }),
      );
      assert.equal(status.code, 0, status.stdout);
      assert.match(
        status.stdout,
        /^ {2}config {6}on disk differs from the running daemon's \(restart or wait for reload\)$/m,
      );
    } finally {
      server.close();
    }
  });
});
