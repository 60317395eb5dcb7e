import assert from "node:assert/strict";
import { test } from "node:test";
import { createReminderService } from "./reminder-service.ts";
import { createHarness } from "./test-kit.ts";

const T0 = "2026-03-02T10:00:00.000Z";

function setup(t: import("node:test").TestContext) {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  t.after(() => scheduler.stop());
  return { ...h, scheduler, service: createReminderService({ scheduler, clock: h.time.clock }) };
}

const team = { audience: "team" as const, sessionId: "s-1" };
const personal = { audience: "personal" as const };
const publicCaller = { audience: "public" as const };

test("schedules are parsed as people write them", (t) => {
  const { service } = setup(t);
  const once = service.set(
    { id: "a", instructions: "x", scheduleType: "once", schedule: "30m" },
    { caller: team },
  );
  assert.deepEqual(once.reminder.schedule, { type: "once", fireAt: "2026-03-02T10:30:00.000Z" });
  assert.equal(once.reminder.state.nextRunAt, "2026-03-02T10:30:00.000Z");
  assert.equal(once.created, true);
  const iso = service.set(
    { id: "b", instructions: "x", scheduleType: "once", schedule: "2026-03-03T08:00" },
    { caller: team },
  );
  assert.equal(iso.reminder.state.nextRunAt, "2026-03-03T08:00:00.000Z");
  const every = service.set(
    { id: "c", instructions: "x", scheduleType: "interval", schedule: "every 6h", expiresIn: "2d" },
    { caller: team },
  );
  assert.equal(every.reminder.state.nextRunAt, "2026-03-02T16:00:00.000Z");
  assert.equal(every.reminder.expiresAt, "2026-03-04T10:00:00.000Z");
  const cron = service.set(
    { id: "d", instructions: "x", scheduleType: "cron", schedule: "CRON_TZ=America/New_York 0 8 * * *" },
    { caller: team },
  );
  assert.equal(cron.reminder.state.nextRunAt, "2026-03-02T13:00:00.000Z");
});

test("bad schedules are refused with the fix", (t) => {
  const { service } = setup(t);
  const attempt = (scheduleType: "once" | "interval" | "cron", schedule: string) => () =>
    service.set({ id: "x", instructions: "x", scheduleType, schedule }, { caller: team });
  assert.throws(attempt("interval", "every 30s"), /minimum of 60 seconds/);
  assert.throws(attempt("interval", "every 59s"), /minimum of 60 seconds/);
  assert.throws(attempt("interval", "hourly"), /every 6h/);
  assert.throws(attempt("once", "2020-01-01T00:00:00Z"), /in the past/);
  assert.throws(attempt("once", "tomorrow"), /neither a delay/);
  assert.throws(attempt("cron", "0 0 9 * * *"), /has 6 fields; expected 5/);
  assert.throws(attempt("cron", "61 9 * * *"), /Invalid cron expression/);
  assert.throws(attempt("cron", "CRON_TZ=Mars/Olympus 0 9 * * *"), /Unknown time zone/);
  assert.throws(
    () =>
      service.set(
        { id: "y", instructions: "x", scheduleType: "once", schedule: "1h", expiresIn: "2h" },
        { caller: team },
      ),
    /Only recurring/,
  );
  // every 1m is the minimum and is allowed
  assert.doesNotThrow(attempt("interval", "every 1m"));
});

test("the audience defaults to the creator's, may be lowered, never raised", (t) => {
  const { service } = setup(t);
  const base = { instructions: "x", scheduleType: "interval" as const, schedule: "1h" };
  assert.equal(service.set({ id: "a", ...base }, { caller: team }).reminder.audience, "team");
  assert.equal(
    service.set({ id: "b", ...base, audience: "public" }, { caller: team }).reminder.audience,
    "public",
  );
  assert.throws(
    () => service.set({ id: "c", ...base, audience: "personal" }, { caller: team }),
    (error: Error & { status?: number }) => error.status === 403 && /may not be higher/.test(error.message),
  );
  const raised = {
    id: "d",
    title: "d",
    instructions: "x",
    audience: "personal",
    schedule: { type: "interval", every: "1h" },
  };
  assert.throws(() => service.import([raised], { caller: team, writeMode: "create" }), /may not be higher/);
  // A Personal reminder is invisible and untouchable from a Team session.
  service.set({ id: "mine", ...base, audience: "personal" }, { caller: personal });
  assert.deepEqual(
    service.list(team).reminders.map((r) => r.id),
    ["a", "b"],
  );
  assert.throws(() => service.get("mine", team), /No reminder 'mine'/);
  assert.throws(() => service.run("mine", team), /No reminder 'mine'/);
  assert.throws(() => service.remove("mine", publicCaller), /No reminder 'mine'/);
  assert.throws(() => service.set({ id: "mine", ...base }, { caller: team }), /higher audience/);
  assert.equal(service.get("mine", personal).instructions, "x");
});

test("write modes: create refuses an existing id, replace a missing one, upsert keeps createdAt", async (t) => {
  const { service, time } = setup(t);
  const input = { id: "r", instructions: "one", scheduleType: "interval" as const, schedule: "1h" };
  const first = service.set(input, { caller: team, writeMode: "create" });
  assert.throws(() => service.set(input, { caller: team, writeMode: "create" }), /already exists/);
  assert.throws(
    () => service.set({ ...input, id: "other" }, { caller: team, writeMode: "replace" }),
    /to replace/,
  );
  await time.advance(10 * 60_000);
  const second = service.set({ ...input, instructions: "two" }, { caller: team });
  assert.equal(second.created, false);
  assert.equal(second.reminder.createdAt, first.reminder.createdAt);
  assert.equal(second.reminder.instructions, "two");
  assert.equal(second.reminder.state.nextRunAt, "2026-03-02T11:10:00.000Z");
});

test("enable/disable, cancel keeps history, delete removes everything", (t) => {
  const { service } = setup(t);
  service.set({ id: "r", instructions: "x", scheduleType: "interval", schedule: "1h" }, { caller: team });
  const off = service.setEnabled("r", { enabled: false, caller: team, reason: "cancelled" });
  assert.equal(off.enabled, false);
  assert.equal(off.disabledReason, "cancelled");
  assert.equal(off.state.nextRunAt, null);
  const on = service.setEnabled("r", { enabled: true, caller: team });
  assert.equal(on.state.nextRunAt, "2026-03-02T11:00:00.000Z");
  service.remove("r", team);
  assert.throws(() => service.get("r", team), /No reminder/);
});

test("import is all-or-nothing and validate names each problem", (t) => {
  const { service } = setup(t);
  const good = {
    id: "good",
    title: "Good",
    instructions: "check disks",
    audience: "team",
    schedule: { type: "cron", expression: "0 6 * * *" },
  };
  const bad = { ...good, id: "bad", schedule: { type: "interval", every: "10s" } };
  const check = service.validate([good, bad, { id: "Not Kebab" }]);
  assert.equal(check.valid, false);
  assert.equal(check.results[0]!.ok, true);
  assert.match(check.results[1]!.problem!, /minimum of 60 seconds/);
  assert.match(check.results[2]!.problem!, /kebab-case/);
  assert.throws(() => service.import([good, bad], { caller: team, writeMode: "create" }), /Nothing imported/);
  assert.equal(service.list(team).reminders.length, 0);
  assert.deepEqual(service.import([good], { caller: team, writeMode: "create" }).imported, [
    { id: "good", created: true },
  ]);
  assert.throws(() => service.import([good], { caller: team, writeMode: "create" }), /already exists/);
  assert.equal(service.get("good", team).state.nextRunAt, "2026-03-03T06:00:00.000Z");
});
