import type { Misfire, Reminder, ReminderState, RunRecord } from "../../protocol/reminders.ts";
import { compactTime } from "./fire-times.ts";
import type { QueuedRun } from "./run-queue.ts";

type RecordFields = Pick<RunRecord, "runId" | "reminderId" | "status" | "trigger" | "dueAt"> &
  Partial<RunRecord>;

/** A history record with the unset fields null. */
export function runRecord(fields: RecordFields): RunRecord {
  return { sessionKey: null, startedAt: null, finishedAt: null, error: null, ...fields };
}

/** Why a misfire was (not) caught up, for the `missed` record. */
export function missedMessage(misfire: Misfire, catchUp: boolean): string {
  const why = "missed because the daemon was not running (or the machine slept) at the due time";
  if (catchUp && misfire.policy === "catch-up") {
    return `${why}; catching up (within the ${misfire.graceSeconds} s grace window)`;
  }
  return misfire.policy === "skip"
    ? `${why}; skipped (misfire policy skip)`
    : `${why}; skipped (outside the catch-up grace window)`;
}

/**
 * Whether a finished run turns its reminder off, and why: too many failures in a row, or a
 * scheduled `once` reminder that has now run. `state.consecutiveFailures` already counts `run`.
 */
export function disableReasonAfter(options: {
  reminder: Reminder;
  state: ReminderState;
  run: RunRecord;
  maxConsecutiveFailures: number;
}): string | undefined {
  const { reminder, state, run } = options;
  if (!reminder.enabled) return undefined;
  if (state.consecutiveFailures >= options.maxConsecutiveFailures) {
    return `auto-disabled after ${state.consecutiveFailures} consecutive failures; last error: ${run.error ?? "unknown"}`;
  }
  if (reminder.schedule.type === "once" && run.trigger !== "manual") {
    return run.status === "succeeded" ? "completed" : `ran once and failed: ${run.error ?? "unknown"}`;
  }
  return undefined;
}

/**
 * The run of `reminder` due at `dueAt`: a fresh `schedule/<id>/<runTs>` session, or re-entry into
 * the origin session for `current_session` delivery; always the stored audience, always unattended.
 */
export function queuedRun(options: {
  reminder: Reminder;
  dueAt: number;
  trigger: RunRecord["trigger"];
}): QueuedRun {
  const { reminder, dueAt } = options;
  const runTs = compactTime(dueAt);
  const origin = reminder.delivery.kind === "current_session" ? reminder.delivery.sessionId : undefined;
  return {
    runId: `${reminder.id}/${runTs}`,
    reminderId: reminder.id,
    title: reminder.title,
    sessionKey: origin ?? `schedule/${reminder.id}/${runTs}`,
    freshSession: origin === undefined,
    prompt: reminder.instructions,
    audience: reminder.audience,
    unattended: true,
    trigger: options.trigger,
    dueAt: new Date(dueAt).toISOString(),
  };
}
