import assert from "node:assert/strict";
import { test } from "node:test";
import { createReminderService } from "./reminder-service.ts";
import { createReminderTools } from "./reminder-tools.ts";
import { createHarness } from "./test-kit.ts";

test("the reminder tools drive the scheduler for one session", async (t) => {
  const h = createHarness(t, { start: "2026-03-02T10:00:00.000Z" });
  const scheduler = h.build();
  scheduler.start();
  t.after(() => scheduler.stop());
  const service = createReminderService({ scheduler, clock: h.time.clock });
  const tools = new Map(
    createReminderTools({ service, caller: { audience: "team", sessionId: "chat-7" } }).map((tool) => [
      tool.name,
      tool,
    ]),
  );
  assert.deepEqual(
    [...tools.keys()],
    ["set_reminder", "list_reminders", "cancel_reminder", "run_reminder", "get_reminder_history"],
  );
  const signal = new AbortController().signal;
  const call = (name: string, args: Record<string, unknown>) => {
    const tool = tools.get(name)!;
    return tool.execute(tool.parameters.parse(args) as Record<string, unknown>, { signal });
  };

  const set = await call("set_reminder", {
    Id: "follow-up",
    Prompt: "Ask whether the deploy finished.",
    ScheduleType: "once",
    Schedule: "2h",
    DeliveryKind: "current_session",
  });
  assert.equal(set.isError, false);
  assert.match(set.content, /^Created reminder follow-up .*once at 2026-03-02T12:00:00.000Z; next run/);

  const raised = await call("set_reminder", {
    Id: "sneaky",
    Prompt: "x",
    ScheduleType: "interval",
    Schedule: "every 1h",
    Audience: "Personal",
  });
  assert.equal(raised.isError, true);
  assert.match(raised.content, /may not be higher/);

  const tooFast = await call("set_reminder", {
    Id: "fast",
    Prompt: "x",
    ScheduleType: "interval",
    Schedule: "every 10s",
  });
  assert.equal(tooFast.isError, true);
  assert.match(tooFast.content, /minimum of 60 seconds/);

  const run = await call("run_reminder", { Id: "follow-up" });
  assert.match(run.content, /^Started run follow-up\//);
  await h.time.settle();
  assert.equal(h.launcher.runs[0]!.sessionKey, "chat-7", "current_session re-enters the origin session");
  assert.equal(h.launcher.runs[0]!.freshSession, false);
  h.launcher.runs[0]!.finish({ ok: false, error: "model unreachable" });
  await h.time.settle();

  const history = await call("get_reminder_history", { Id: "follow-up" });
  assert.match(history.content, /failed: model unreachable/);

  const before = await call("list_reminders", {});
  assert.match(
    before.content,
    /follow-up .*next run 2026-03-02T12:00:00.000Z/,
    "a manual run leaves the schedule alone",
  );

  const cancel = await call("cancel_reminder", { Id: "follow-up" });
  assert.equal(cancel.isError, false);
  const list = await call("list_reminders", {});
  assert.match(list.content, /follow-up .*disabled \(cancelled\)/);

  const missing = await call("run_reminder", { Id: "nope" });
  assert.equal(missing.isError, true);
  assert.match(missing.content, /No reminder 'nope'/);
});
