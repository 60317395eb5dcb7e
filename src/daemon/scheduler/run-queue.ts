import type { RunRecord, RunStatus } from "../../protocol/reminders.ts";
import type { Clock, ReminderRun, RunLauncher, SchedulerLogger, Timers } from "./types.ts";

export type QueuedRun = Omit<ReminderRun, "signal">;

export type RunQueueOptions = {
  launch: RunLauncher;
  timers: Timers;
  clock: Clock;
  logger: SchedulerLogger;
  maxConcurrent: () => number;
  runTimeoutMs: () => number;
  /** Called as a run starts (before the launcher). */
  onStart: (run: QueuedRun) => void;
  /** Called exactly once per pushed run with its final record. */
  onFinish: (record: RunRecord) => void;
};

/** How long shutdown waits for aborted runs to return before giving up on them. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Runs reminder runs with a concurrency cap (the rest wait, first in first out) and a timeout.
 * A reminder stays `busy` from push until its launcher has really returned, even after a timeout
 * freed its slot, so one reminder never runs twice at once.
 */
export function createRunQueue(options: RunQueueOptions) {
  const { timers, clock, logger } = options;
  const waiting: QueuedRun[] = [];
  const busy = new Set<string>();
  const running = new Map<string, { abort: (reason: string) => void; settled: Promise<void> }>();
  let slots = 0;
  let stopped = false;
  const iso = (time: number) => new Date(time).toISOString();

  function recordOf(run: QueuedRun, fields: { status: RunStatus; startedAt: string | null; error?: string }) {
    return {
      runId: run.runId,
      reminderId: run.reminderId,
      status: fields.status,
      trigger: run.trigger,
      dueAt: run.dueAt,
      sessionKey: run.sessionKey,
      startedAt: fields.startedAt,
      finishedAt: iso(clock.now()),
      error: fields.error ?? null,
    } satisfies RunRecord;
  }

  function start(run: QueuedRun): void {
    slots++;
    const startedAt = iso(clock.now());
    const controller = new AbortController();
    let done = false;
    const finish = (status: RunStatus, error?: string) => {
      if (done) return;
      done = true;
      timers.clearTimeout(timeout);
      slots--;
      options.onFinish(recordOf(run, { status, startedAt, error }));
      pump();
    };
    const timeoutMs = options.runTimeoutMs();
    const timeout = timers.setTimeout(() => {
      const message = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      controller.abort(new Error(message));
      finish("timed_out", message);
    }, timeoutMs);
    options.onStart(run);
    const settled = Promise.resolve()
      .then(() => options.launch({ ...run, signal: controller.signal }))
      .then(
        (outcome) =>
          outcome.ok ? finish("succeeded") : finish("failed", outcome.error ?? "the run reported a failure"),
        (error: unknown) => finish("failed", error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        busy.delete(run.reminderId);
        running.delete(run.runId);
        if (!done) logger.error({ runId: run.runId }, "reminder run settled without a result");
      });
    running.set(run.runId, {
      abort: (reason) => {
        controller.abort(new Error(reason));
        finish("cancelled", reason);
      },
      settled,
    });
  }

  function pump(): void {
    while (!stopped && slots < options.maxConcurrent() && waiting.length > 0) start(waiting.shift()!);
  }

  return {
    /** Queues a run; the caller has checked `busy` first. */
    push(run: QueuedRun): void {
      busy.add(run.reminderId);
      waiting.push(run);
      pump();
    },

    busy: (reminderId: string) => busy.has(reminderId),

    counts: () => ({ running: slots, queued: waiting.length }),

    /** Cancels waiting runs, aborts running ones, and waits (bounded) for their launchers to return. */
    async shutdown(reason: string): Promise<void> {
      stopped = true;
      for (const run of waiting.splice(0)) {
        busy.delete(run.reminderId);
        options.onFinish(recordOf(run, { status: "cancelled", startedAt: null, error: reason }));
      }
      const pending = [...running.values()];
      for (const run of pending) run.abort(reason);
      let handle: unknown;
      const grace = new Promise<void>((resolve) => {
        handle = timers.setTimeout(resolve, SHUTDOWN_GRACE_MS);
      });
      await Promise.race([Promise.allSettled(pending.map((run) => run.settled)), grace]);
      timers.clearTimeout(handle);
    },
  };
}
