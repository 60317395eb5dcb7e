import assert from "node:assert/strict";
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createReminderStore, HISTORY_LIMIT } from "./reminder-store.ts";
import { makeTempDir, reminder } from "./test-kit.ts";

const t0 = Date.parse("2026-03-02T10:00:00.000Z");

test("definitions, state and history live in separate files beside each other", (t) => {
  const dir = join(makeTempDir(t), "schedules", "reminders");
  const store = createReminderStore({ dir });
  store.save(reminder({ id: "backup-check", schedule: { type: "interval", every: "1h" } }, t0));
  store.writeState("backup-check", {
    ...store.readState("backup-check"),
    nextRunAt: "2026-03-02T11:00:00.000Z",
  });
  assert.deepEqual(readdirSync(dir).sort(), ["backup-check.json", "backup-check.state.json"]);
  const again = createReminderStore({ dir });
  assert.equal(again.readState("backup-check").nextRunAt, "2026-03-02T11:00:00.000Z");
  assert.deepEqual(
    again.load().reminders.map((r) => r.id),
    ["backup-check"],
  );
  assert.equal(again.remove("backup-check"), true);
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(again.remove("backup-check"), false);
});

test("history keeps the newest 500 runs and skips torn lines", (t) => {
  const dir = makeTempDir(t);
  const store = createReminderStore({ dir });
  const base = {
    reminderId: "r",
    trigger: "schedule" as const,
    sessionKey: null,
    startedAt: null,
    error: null,
  };
  for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
    const at = new Date(t0 + i * 60_000).toISOString();
    store.appendHistory({ ...base, runId: `r/${i}`, status: "succeeded", dueAt: at, finishedAt: at });
  }
  const runs = store.readHistory("r");
  assert.equal(runs.length, HISTORY_LIMIT);
  assert.equal(runs[0]!.runId, "r/20");
  assert.equal(runs.at(-1)!.runId, `r/${HISTORY_LIMIT + 19}`);
  assert.deepEqual(
    store.readHistory("r", 2).map((r) => r.runId),
    [`r/${HISTORY_LIMIT + 18}`, `r/${HISTORY_LIMIT + 19}`],
  );
  appendFileSync(join(dir, "r.history.jsonl"), '{"runId":"r/torn","sta');
  assert.equal(store.readHistory("r").length, HISTORY_LIMIT);
  assert.equal(readFileSync(join(dir, "r.history.jsonl"), "utf8").split("\n").length, HISTORY_LIMIT + 1);
});

test("a file whose id does not match its name is reported, not loaded, and kept", (t) => {
  const dir = makeTempDir(t);
  const store = createReminderStore({ dir });
  store.save(reminder({ id: "a", schedule: { type: "interval", every: "1h" } }, t0));
  const content = readFileSync(join(dir, "a.json"), "utf8");
  appendFileSync(join(dir, "b.json"), content);
  const { reminders, problems } = store.load();
  assert.deepEqual(
    reminders.map((r) => r.id),
    ["a"],
  );
  assert.match(problems[0]!.problem, /does not match the file name/);
  assert.ok(existsSync(join(dir, "b.json")));
  assert.deepEqual(store.read("missing"), { missing: true });
});
