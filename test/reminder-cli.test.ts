import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import pino from "pino";
import { reminderRoutes } from "../src/daemon/features/reminders/routes.ts";
import { createApp } from "../src/daemon/http/app.ts";
import { createAuthenticator } from "../src/daemon/http/auth.ts";
import { createHostGuard } from "../src/daemon/http/host-guard.ts";
import { createReminderService } from "../src/daemon/scheduler/reminder-service.ts";
import { createHarness, makeTempDir } from "../src/daemon/scheduler/test-kit.ts";
import { cleanEnv, runCli } from "./helpers/processes.ts";

/** The real `netclaw` binary, with only the given environment (no developer NETCLAW_* leaks in). */
async function cli(env: NodeJS.ProcessEnv, args: string[]) {
  const result = await runCli(args, cleanEnv(env));
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

async function daemon(t: TestContext) {
  const h = createHarness(t, { start: "2026-03-02T10:00:00.000Z" });
  const scheduler = h.build();
  scheduler.start();
  let port = 0;
  const app = createApp({
    logger: pino({ level: "silent" }),
    hostGuard: createHostGuard({
      bindHost: "127.0.0.1",
      allowedHosts: [],
      enforceHost: true,
      port: () => port,
    }),
    authenticate: createAuthenticator({ trustLoopback: true }),
    trustProxy: false,
    routes: [reminderRoutes({ service: createReminderService({ scheduler, clock: h.time.clock }) })],
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  t.after(async () => {
    await app.close();
    await scheduler.stop();
  });
  const address = app.server.address() as { port: number };
  port = address.port;
  const env = { NETCLAW_DAEMON_ENDPOINT: `http://127.0.0.1:${address.port}`, NETCLAW_HOME: makeTempDir(t) };
  return { ...h, env };
}

test("netclaw reminder create/list/show/disable/history/delete against the API", async (t) => {
  const { env } = await daemon(t);
  const created = await cli(env, [
    "reminder",
    "create",
    "disk-check",
    "interval",
    "every 6h",
    "Check free disk space.",
    "--name",
    "Disk check",
    "--misfire",
    "catch-up",
    "--grace",
    "30",
  ]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, "Created reminder disk-check; next run 2026-03-02T16:00:00.000Z.\n");
  const list = await cli(env, ["reminder", "list"]);
  assert.match(list.stdout, /^disk-check\s+every 6h\s+next 2026-03-02T16:00:00.000Z {2}last -\n$/);
  const show = await cli(env, ["reminder", "show", "disk-check"]);
  assert.match(show.stdout, /misfire: {4}catch-up within 1800 s/);
  assert.equal(
    (await cli(env, ["reminder", "disable", "disk-check"])).stdout,
    "Disabled reminder disk-check.\n",
  );
  assert.equal(
    (await cli(env, ["reminder", "history", "disk-check"])).stdout,
    "Reminder disk-check has not run yet.\n",
  );
  const tooFast = await cli(env, ["reminder", "create", "fast", "interval", "every 5s", "x"]);
  assert.equal(tooFast.code, 1);
  assert.match(tooFast.stderr, /minimum of 60 seconds/);
  assert.equal((await cli(env, ["reminder", "delete", "disk-check"])).code, 0);
  const gone = await cli(env, ["reminder", "show", "disk-check"]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No reminder 'disk-check'/);
});

test("netclaw reminder validate works offline; import sends the file", async (t) => {
  const dir = makeTempDir(t);
  const file = join(dir, "reminders.json");
  const good = {
    id: "certs",
    title: "Certificates",
    instructions: "Check TLS expiry.",
    audience: "team",
    schedule: { type: "cron", expression: "CRON_TZ=Europe/Berlin 0 9 * * 1" },
  };
  writeFileSync(
    file,
    JSON.stringify([good, { ...good, id: "bad", schedule: { type: "interval", every: "1s" } }]),
  );
  const offline = { NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:9", NETCLAW_HOME: dir };
  const invalid = await cli(offline, ["reminder", "validate", file]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stdout, /\[PASS\] certs: valid/);
  assert.match(invalid.stdout, /\[FAIL\] bad: schedule.every: .*minimum of 60 seconds/);
  writeFileSync(file, JSON.stringify({ reminders: [good] }));
  assert.equal((await cli(offline, ["reminder", "validate", file])).code, 0);

  const { env } = await daemon(t);
  const imported = await cli(env, ["reminder", "import", file]);
  assert.equal(imported.stdout, "Created certs\n");
  const again = await cli(env, ["reminder", "import", file]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  assert.equal((await cli(env, ["reminder", "import", file, "--upsert"])).stdout, "Updated certs\n");
  const down = await cli(offline, ["reminder", "list"]);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /\[FAIL\] reminder: unable to reach daemon/);
});
