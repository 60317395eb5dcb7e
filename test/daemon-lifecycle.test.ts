import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cleanEnv, runDaemonToExit, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);
const home = homes.home;

describe("netclawd process", () => {
  test("first start lays out the home with owner-only secrets, serves ready and writes a pid file", async () => {
    const dir = home();
    const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: dir }) });
    try {
      const ready = await fetch(`${daemon.url}/api/health/ready`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), "healthy");
      for (const sub of [
        "client",
        "config",
        "identity",
        "sessions",
        "keys",
        "workspaces",
        "environment",
        "schedules",
        "logs",
      ]) {
        assert.ok(statSync(join(dir, sub)).isDirectory(), sub);
      }
      assert.equal(statSync(join(dir, "keys")).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, "config", "secrets.json")).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, "config", "devices.json")).mode & 0o777, 0o600);
      assert.ok(existsSync(join(dir, "sessions", "netclaw.db")));
      const [pid, startedAt] = readFileSync(join(dir, "netclaw.pid"), "utf8").split("\n");
      assert.equal(Number(pid), daemon.child.pid);
      assert.ok(!Number.isNaN(Date.parse(startedAt!)));
      assert.ok(readdirSync(join(dir, "logs")).some((f) => /^daemon-\d{4}-\d{2}-\d{2}\.log$/.test(f)));
    } finally {
      await daemon.stop();
    }
  });

  test("a second daemon on the same home is refused with the exact message and exit 1", async () => {
    const dir = home();
    const first = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: dir }) });
    try {
      const second = await runDaemonToExit(cleanEnv({ NETCLAW_HOME: dir, NETCLAW_Daemon__Port: "1" }));
      assert.equal(second.code, 1);
      assert.equal(
        second.stderr.trim(),
        "error: Another netclawd instance is already running (lock file held). Exiting.",
      );
      assert.equal((await fetch(`${first.url}/api/health/ready`)).status, 200);
    } finally {
      await first.stop();
    }
  });

  test("SIGTERM drains and exits 0 quickly, removing the pid file", async () => {
    const dir = home();
    const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: dir }) });
    const started = performance.now();
    const exit = await daemon.stop();
    const ms = performance.now() - started;
    assert.equal(exit.code, 0);
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.ok(!existsSync(join(dir, "netclaw.pid")));
    assert.match(daemon.stderr(), /netclawd stopped/);
  });

  test("kill -9 leaves no lock behind: the next start succeeds and keeps the data", async () => {
    const dir = home();
    const env = cleanEnv({ NETCLAW_HOME: dir });
    const first = await startDaemon({ env });
    first.child.kill("SIGKILL");
    await first.exited;
    assert.ok(existsSync(join(dir, "netclaw.pid")), "a killed daemon leaves its pid file");
    const second = await startDaemon({ env });
    try {
      assert.equal((await fetch(`${second.url}/api/health/ready`)).status, 200);
      assert.equal(Number(readFileSync(join(dir, "netclaw.pid"), "utf8").split("\n")[0]), second.child.pid);
    } finally {
      assert.equal((await second.stop()).code, 0);
    }
  });

  test("shutdown over the API needs a reason and then stops the daemon", async () => {
    const dir = home();
    const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: dir }) });
    const missing = await fetch(`${daemon.url}/api/lifecycle/shutdown`, { method: "POST" });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), {
      error: { code: "reason_required", message: "reason query parameter is required" },
    });
    const ok = await fetch(`${daemon.url}/api/lifecycle/shutdown?reason=test`, { method: "POST" });
    assert.equal(ok.status, 202);
    assert.deepEqual(await ok.json(), { reason: "test", pid: daemon.child.pid });
    assert.equal((await daemon.exited).code, 0);
  });
});
