import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import pino from "pino";
import { createApp } from "../../http/app.ts";
import { createAuthenticator } from "../../http/auth.ts";
import { createHostGuard } from "../../http/host-guard.ts";
import { createReminderService } from "../../scheduler/reminder-service.ts";
import { createHarness } from "../../scheduler/test-kit.ts";
import { reminderRoutes } from "./routes.ts";

async function setup(t: TestContext) {
  const h = createHarness(t, { start: "2026-03-02T10:00:00.000Z" });
  const scheduler = h.build();
  scheduler.start();
  const service = createReminderService({ scheduler, clock: h.time.clock });
  const app = createApp({
    logger: pino({ level: "silent" }),
    hostGuard: createHostGuard({ bindHost: "127.0.0.1", allowedHosts: [], enforceHost: true, port: 5199 }),
    authenticate: createAuthenticator({ trustLoopback: true }),
    trustProxy: false,
    routes: [reminderRoutes({ service })],
  });
  t.after(async () => {
    await app.close();
    await scheduler.stop();
  });
  const call = (method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { host: "127.0.0.1:5199" }, remoteAddress: "127.0.0.1" });
  return { ...h, call };
}

test("create, show, list, disable, enable, run, history, delete", async (t) => {
  const { call, launcher, time } = await setup(t);
  const body = {
    id: "nightly",
    instructions: "Summarise the logs.",
    scheduleType: "cron",
    schedule: "0 2 * * *",
  };
  const created = await call("POST", "/api/reminders", { ...body, title: "Nightly" });
  assert.equal(created.statusCode, 201);
  assert.equal(created.json().reminder.state.nextRunAt, "2026-03-03T02:00:00.000Z");
  assert.equal(created.json().reminder.audience, "personal");
  assert.equal((await call("POST", "/api/reminders", body)).statusCode, 200, "upsert by default");
  const conflict = await call("POST", "/api/reminders", { ...body, writeMode: "create" });
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.json().error.code, "reminder_exists");

  assert.equal((await call("GET", "/api/reminders/nightly")).json().reminder.title, "Nightly");
  assert.deepEqual(
    (await call("GET", "/api/reminders")).json().reminders.map((r: { id: string }) => r.id),
    ["nightly"],
  );
  const disabled = await call("POST", "/api/reminders/nightly/disable");
  assert.equal(disabled.json().reminder.enabled, false);
  assert.equal((await call("POST", "/api/reminders/nightly/enable")).json().reminder.enabled, true);

  const run = await call("POST", "/api/reminders/nightly/run");
  assert.equal(run.statusCode, 202);
  await time.settle();
  assert.equal((await call("POST", "/api/reminders/nightly/run")).statusCode, 409);
  launcher.runs[0]!.finish({ ok: true });
  await time.settle();
  const history = await call("GET", "/api/reminders/nightly/history?last=5");
  assert.deepEqual(
    history.json().runs.map((r: { status: string }) => r.status),
    ["succeeded"],
  );

  assert.equal((await call("DELETE", "/api/reminders/nightly")).statusCode, 204);
  assert.equal((await call("GET", "/api/reminders/nightly")).statusCode, 404);
});

test("bad input gets 400 with the field, and nothing is stored", async (t) => {
  const { call } = await setup(t);
  const tooFast = await call("POST", "/api/reminders", {
    id: "fast",
    instructions: "x",
    scheduleType: "interval",
    schedule: "every 5s",
  });
  assert.equal(tooFast.statusCode, 400);
  assert.match(tooFast.json().error.message, /minimum of 60 seconds/);
  const noPrompt = await call("POST", "/api/reminders", { id: "x", scheduleType: "once", schedule: "1h" });
  assert.equal(noPrompt.statusCode, 400);
  assert.match(noPrompt.json().error.message, /instructions/);
  assert.equal((await call("GET", "/api/reminders/Not_An_Id")).statusCode, 400);
  assert.equal((await call("GET", "/api/reminders/fast/history?last=0")).statusCode, 400);
  assert.equal((await call("GET", "/api/reminders")).json().reminders.length, 0);
});

test("validate, import, and malformed files listed as problems", async (t) => {
  const { call, dir } = await setup(t);
  const doc = {
    id: "weekly",
    title: "Weekly",
    instructions: "Check certificates.",
    audience: "team",
    schedule: { type: "cron", expression: "CRON_TZ=Europe/Berlin 0 9 * * 1" },
  };
  const check = await call("POST", "/api/reminders/validate", { reminders: [doc, { id: "bad" }] });
  assert.equal(check.statusCode, 200);
  assert.equal(check.json().valid, false);
  assert.equal(check.json().results[1].ok, false);
  const imported = await call("POST", "/api/reminders/import", { reminders: [doc] });
  assert.deepEqual(imported.json(), { imported: [{ id: "weekly", created: true }] });
  writeFileSync(join(dir, "broken.json"), "[");
  const list = (await call("GET", "/api/reminders")).json();
  assert.deepEqual(
    list.reminders.map((r: { id: string }) => r.id),
    ["weekly"],
  );
  assert.equal(list.problems[0].file, join(dir, "broken.json"));
});
