import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createHarness, reminder } from "./test-kit.ts";

const T0 = "2026-03-02T10:00:00.000Z";
const t0 = Date.parse(T0);
const MIN = 60_000;
const HOUR = 60 * MIN;

test("a once reminder fires at its time in a fresh unattended session, then disables itself", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(
    reminder(
      { id: "standup", schedule: { type: "once", fireAt: new Date(t0 + 30 * MIN).toISOString() } },
      t0,
    ),
  );
  await h.time.advance(29 * MIN);
  assert.equal(h.launcher.runs.length, 0);
  await h.time.advance(MIN);
  assert.equal(h.launcher.runs.length, 1);
  const run = h.launcher.runs[0]!;
  assert.equal(run.sessionKey, "schedule/standup/20260302T103000Z");
  assert.equal(run.freshSession, true);
  assert.equal(run.unattended, true);
  assert.equal(run.audience, "team");
  assert.equal(run.prompt, "do standup");
  run.finish({ ok: true });
  await h.time.settle();
  const view = scheduler.get("standup")!;
  assert.equal(view.reminder.enabled, false);
  assert.equal(view.reminder.disabledReason, "completed");
  assert.deepEqual(
    scheduler.history("standup").map((r) => r.status),
    ["succeeded"],
  );
  await h.time.advance(24 * HOUR);
  assert.equal(h.launcher.runs.length, 1);
  await scheduler.stop();
});

test("an interval reminder fires every period and persists its next run time", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "disk-check", schedule: { type: "interval", every: "every 2h" } }, t0));
  assert.equal(h.store.readState("disk-check").nextRunAt, "2026-03-02T12:00:00.000Z");
  for (let i = 0; i < 3; i++) {
    await h.time.advance(2 * HOUR);
    h.launcher.open()[0]?.finish({ ok: true });
    await h.time.settle();
  }
  assert.deepEqual(
    h.launcher.runs.map((r) => r.dueAt),
    ["2026-03-02T12:00:00.000Z", "2026-03-02T14:00:00.000Z", "2026-03-02T16:00:00.000Z"],
  );
  assert.equal(h.store.readState("disk-check").nextRunAt, "2026-03-02T18:00:00.000Z");
  assert.equal(scheduler.history("disk-check").length, 3);
  await scheduler.stop();
});

test("a cron reminder fires in UTC", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "report", schedule: { type: "cron", expression: "30 9 * * 1-5" } }, t0));
  // Monday 10:00 UTC → next is Tuesday 09:30 UTC.
  assert.equal(h.store.readState("report").nextRunAt, "2026-03-03T09:30:00.000Z");
  await h.time.advance(23 * HOUR + 30 * MIN);
  assert.equal(h.launcher.runs.length, 1);
  assert.equal(h.launcher.runs[0]!.dueAt, "2026-03-03T09:30:00.000Z");
  await scheduler.stop();
});

test("CRON_TZ keeps 09:00 local time across the end of summer time", async (t) => {
  const start = "2026-10-23T12:00:00.000Z";
  const h = createHarness(t, { start });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(
    reminder(
      { id: "morning", schedule: { type: "cron", expression: "CRON_TZ=Europe/Berlin 0 9 * * *" } },
      Date.parse(start),
    ),
  );
  for (let i = 0; i < 4; i++) {
    await h.time.advance(24 * HOUR);
    h.launcher.open()[0]?.finish({ ok: true });
    await h.time.settle();
  }
  // Berlin leaves CEST (UTC+2) for CET (UTC+1) on 2026-10-25.
  assert.deepEqual(
    h.launcher.runs.map((r) => r.dueAt),
    [
      "2026-10-24T07:00:00.000Z",
      "2026-10-25T08:00:00.000Z",
      "2026-10-26T08:00:00.000Z",
      "2026-10-27T08:00:00.000Z",
    ],
  );
  await scheduler.stop();
});

test("daemon down across due times: recorded as missed and skipped by default", async (t) => {
  const h = createHarness(t, { start: T0 });
  const first = h.build();
  first.start();
  first.save(reminder({ id: "hourly", schedule: { type: "interval", every: "1h" } }, t0));
  await first.stop();
  h.time.jump(5 * HOUR + 30 * MIN); // down from 10:00 to 15:30
  const second = h.build();
  second.start();
  await h.time.settle();
  assert.equal(h.launcher.runs.length, 0, "nothing fires hours late");
  const [missed] = second.history("hourly");
  assert.equal(missed!.status, "missed");
  assert.equal(missed!.dueAt, "2026-03-02T11:00:00.000Z");
  assert.equal(missed!.missedCount, 5);
  assert.match(missed!.error!, /skipped \(misfire policy skip\)/);
  assert.equal(h.store.readState("hourly").nextRunAt, "2026-03-02T16:00:00.000Z");
  await h.time.advance(30 * MIN);
  assert.equal(h.launcher.runs.length, 1);
  await second.stop();
});

test("catch-up policy runs a missed reminder once within the grace window, not after it", async (t) => {
  const h = createHarness(t, { start: T0 });
  const first = h.build();
  first.start();
  const misfire = { policy: "catch-up" as const, graceSeconds: 3600 };
  first.save(
    reminder({ id: "soon", misfire, schedule: { type: "once", fireAt: "2026-03-02T11:00:00.000Z" } }, t0),
  );
  first.save(
    reminder({ id: "late", misfire, schedule: { type: "once", fireAt: "2026-03-02T10:10:00.000Z" } }, t0),
  );
  await first.stop();
  h.time.jump(HOUR + 20 * MIN); // back at 11:20: "soon" is 20 min late, "late" 70 min
  const second = h.build();
  second.start();
  await h.time.settle();
  assert.deepEqual(
    h.launcher.runs.map((r) => [r.reminderId, r.trigger]),
    [["soon", "catch-up"]],
  );
  assert.equal(second.history("soon")[0]!.status, "missed");
  assert.match(second.history("late")[0]!.error!, /outside the catch-up grace window/);
  const late = second.get("late")!;
  assert.equal(late.reminder.enabled, false);
  assert.match(late.reminder.disabledReason!, /missed at 2026-03-02T10:10:00.000Z/);
  await second.stop();
});

test("no overlapping runs: a fire while the previous run is still going is recorded as skipped", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "slow", schedule: { type: "interval", every: "1m" } }, t0));
  await h.time.advance(MIN);
  await h.time.advance(MIN);
  assert.equal(h.launcher.runs.length, 1);
  assert.deepEqual(
    scheduler.history("slow").map((r) => r.status),
    ["skipped"],
  );
  assert.throws(() => scheduler.runNow("slow"), /already running/);
  h.launcher.runs[0]!.finish({ ok: true });
  await h.time.advance(MIN);
  assert.equal(h.launcher.runs.length, 2);
  await scheduler.stop();
});

test("at most three runs at once; the rest queue and start as slots free up", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  for (const id of ["a", "b", "c", "d", "e"]) {
    scheduler.save(reminder({ id, schedule: { type: "once", fireAt: "2026-03-02T10:05:00.000Z" } }, t0));
  }
  await h.time.advance(5 * MIN);
  assert.equal(h.launcher.runs.length, 3);
  assert.deepEqual(scheduler.summary(), {
    total: 5,
    enabled: 5,
    running: 3,
    queued: 2,
    problems: 0,
    nextRunAt: null,
  });
  h.launcher.runs[1]!.finish({ ok: true });
  await h.time.settle();
  assert.equal(h.launcher.runs.length, 4);
  assert.equal(h.launcher.open().length, 3);
  await scheduler.stop();
});

test("a run that exceeds the timeout is aborted and counted as a failure", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "hang", schedule: { type: "interval", every: "1h" } }, t0));
  await h.time.advance(HOUR);
  const run = h.launcher.runs[0]!;
  await h.time.advance(300_000);
  assert.equal(run.signal.aborted, true);
  const [record] = scheduler.history("hang");
  assert.equal(record!.status, "timed_out");
  assert.equal(record!.error, "timed out after 300 s");
  assert.equal(h.store.readState("hang").consecutiveFailures, 1);
  await scheduler.stop();
});

test("five consecutive failures disable the reminder with the reason", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "flaky", schedule: { type: "interval", every: "1m" } }, t0));
  for (let i = 0; i < 7; i++) {
    await h.time.advance(MIN);
    h.launcher.open()[0]?.finish({ ok: false, error: `upstream 503 #${i + 1}` });
    await h.time.settle();
  }
  assert.equal(h.launcher.runs.length, 5);
  const view = scheduler.get("flaky")!;
  assert.equal(view.reminder.enabled, false);
  assert.equal(
    view.reminder.disabledReason,
    "auto-disabled after 5 consecutive failures; last error: upstream 503 #5",
  );
  const onDisk = JSON.parse(readFileSync(join(h.dir, "flaky.json"), "utf8"));
  assert.equal(onDisk.enabled, false);
  await scheduler.stop();
});

test("a success resets the failure count", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "mixed", schedule: { type: "interval", every: "1m" } }, t0));
  const outcomes = [false, false, false, false, true, false, false, false, false];
  for (const ok of outcomes) {
    await h.time.advance(MIN);
    h.launcher.open()[0]?.finish(ok ? { ok } : { ok, error: "boom" });
    await h.time.settle();
  }
  assert.equal(scheduler.get("mixed")!.reminder.enabled, true);
  assert.equal(h.store.readState("mixed").consecutiveFailures, 4);
  await scheduler.stop();
});

test("malformed files are reported with the file and the problem, skipped, and kept", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.save(reminder({ id: "good", schedule: { type: "interval", every: "1h" } }, t0));
  const broken = join(h.dir, "broken.json");
  writeFileSync(broken, "{ not json");
  const legacy = join(h.dir, "legacy.json");
  const noAudience = { ...reminder({ id: "legacy", schedule: { type: "interval", every: "1h" } }, t0) };
  delete (noAudience as Partial<typeof noAudience>).audience;
  writeFileSync(legacy, JSON.stringify(noAudience));
  const tooFast = join(h.dir, "too-fast.json");
  writeFileSync(
    tooFast,
    JSON.stringify(reminder({ id: "too-fast", schedule: { type: "interval", every: "30s" } }, t0)),
  );
  scheduler.start();
  const { entries, problems } = scheduler.list();
  assert.deepEqual(
    entries.map((e) => e.reminder.id),
    ["good"],
  );
  const byFile = new Map(problems.map((p) => [p.file, p.problem]));
  assert.match(byFile.get(broken)!, /not valid JSON/);
  assert.match(byFile.get(legacy)!, /audience/);
  assert.match(byFile.get(tooFast)!, /minimum of 60 seconds/);
  assert.ok(h.logger.lines.some((l) => l.message === "reminder file skipped"));
  for (const file of [broken, legacy, tooFast]) assert.ok(existsSync(file), `${file} kept`);
  assert.equal(readFileSync(broken, "utf8"), "{ not json");
  await scheduler.stop();
});

test("a run cut off by a crash is recorded as interrupted; a once reminder then follows its misfire policy", async (t) => {
  const h = createHarness(t, { start: T0 });
  const first = h.build();
  first.start();
  first.save(reminder({ id: "once", schedule: { type: "once", fireAt: "2026-03-02T10:01:00.000Z" } }, t0));
  await h.time.advance(MIN);
  assert.equal(h.launcher.runs.length, 1);
  // crash: no stop(); a new process starts on the same files two hours later
  h.time.jump(2 * HOUR);
  const second = h.build();
  second.start();
  await h.time.settle();
  assert.deepEqual(
    second.history("once").map((r) => r.status),
    ["interrupted", "missed"],
  );
  assert.equal(h.launcher.runs.length, 1);
  await second.stop();
});

test("stop cancels running runs; expiry stops a recurring reminder", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(
    reminder(
      {
        id: "short-lived",
        schedule: { type: "interval", every: "1h" },
        expiresAt: "2026-03-02T12:30:00.000Z",
      },
      t0,
    ),
  );
  await h.time.advance(HOUR);
  h.launcher.open()[0]!.finish({ ok: true });
  await h.time.advance(HOUR);
  assert.equal(scheduler.get("short-lived")!.reminder.enabled, false);
  assert.match(scheduler.get("short-lived")!.reminder.disabledReason!, /expired/);
  const stopping = scheduler.stop();
  await stopping;
  assert.equal(h.launcher.runs[1]!.signal.aborted, true);
  assert.deepEqual(
    scheduler.history("short-lived").map((r) => r.status),
    ["succeeded", "cancelled"],
  );
});

test("a reminder file added by hand is picked up within the rescan interval", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  const file = reminder({ id: "by-hand", schedule: { type: "interval", every: "5m" } }, t0 + 30_000);
  writeFileSync(join(h.dir, "by-hand.json"), JSON.stringify(file));
  await h.time.advance(MIN);
  assert.equal(h.store.readState("by-hand").nextRunAt, "2026-03-02T10:05:30.000Z");
  await h.time.advance(5 * MIN);
  assert.deepEqual(
    h.launcher.runs.map((r) => r.sessionKey),
    ["schedule/by-hand/20260302T100530Z"],
  );
  await scheduler.stop();
});

test("deleting a reminder while it runs leaves no files behind when the run ends", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "doomed", schedule: { type: "interval", every: "1m" } }, t0));
  await h.time.advance(MIN);
  assert.equal(scheduler.remove("doomed"), true);
  h.launcher.runs[0]!.finish({ ok: true });
  await h.time.advance(5 * MIN);
  assert.deepEqual(readdirSync(h.dir), []);
  assert.equal(h.launcher.runs.length, 1);
  await scheduler.stop();
});

test("manual runs started within the same second get distinct run ids and sessions", async (t) => {
  const h = createHarness(t, { start: T0 });
  const scheduler = h.build();
  scheduler.start();
  scheduler.save(reminder({ id: "quick", schedule: { type: "interval", every: "1h" } }, t0));
  const first = scheduler.runNow("quick");
  await h.time.settle();
  h.launcher.runs[0]!.finish({ ok: true });
  await h.time.settle();
  const second = scheduler.runNow("quick"); // the clock has not moved
  await h.time.settle();
  assert.notEqual(first.runId, second.runId);
  assert.deepEqual(
    h.launcher.runs.map((r) => r.sessionKey),
    ["schedule/quick/20260302T100000Z", "schedule/quick/20260302T100000.001Z"],
  );
  await scheduler.stop();
});
