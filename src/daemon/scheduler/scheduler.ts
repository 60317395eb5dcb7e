import { NetclawError } from "../../protocol/errors.ts";
import type { Reminder, ReminderProblem, ReminderState, RunRecord } from "../../protocol/reminders.ts";
import { advance, compactTime, firstFireTime } from "./fire-times.ts";
import type { ReminderStore } from "./reminder-store.ts";
import { createRunQueue, type QueuedRun } from "./run-queue.ts";
import { disableReasonAfter, missedMessage, queuedRun, runRecord } from "./run-records.ts";
import {
  type Clock,
  DEFAULT_LIMITS,
  type RunLauncher,
  type SchedulerLimits,
  type SchedulerLogger,
  type Timers,
} from "./types.ts";

export type SchedulerOptions = {
  store: ReminderStore;
  launch: RunLauncher;
  clock: Clock;
  timers: Timers;
  logger: SchedulerLogger;
  limits?: Partial<SchedulerLimits>;
};

type Entry = { reminder: Reminder; state: ReminderState };

/** What the fire times depend on; any change to it means a fresh schedule. */
function fingerprint(reminder: Reminder): string {
  const { schedule, enabled, expiresAt, updatedAt } = reminder;
  return JSON.stringify({ schedule, enabled, expiresAt, updatedAt });
}

/** setTimeout's ceiling; longer waits re-arm on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type Scheduler = ReturnType<typeof createScheduler>;

/**
 * Keeps every enabled reminder's next fire time (persisted in its state file), fires due ones
 * through the injected launcher, and records each run. Fire times that passed while the daemon
 * was down (or the machine slept) are recorded as `missed` and then skipped or caught up, per the
 * reminder's misfire policy. All definition writes go through `save`/`remove` so the schedule
 * and the files never disagree.
 */
export function createScheduler(options: SchedulerOptions) {
  const { store, clock, timers, logger } = options;
  const limits: SchedulerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const entries = new Map<string, Entry>();
  let problems: ReminderProblem[] = [];
  const reported = new Set<string>();
  let timer: unknown;
  /** The due time of the last manual run: each manual run gets a later one, so its run id is new. */
  let lastManualAt = 0;
  let started = false;
  const iso = (time: number) => new Date(time).toISOString();

  const queue = createRunQueue({
    launch: options.launch,
    timers,
    clock,
    logger,
    maxConcurrent: () => limits.maxConcurrentRuns,
    runTimeoutMs: () => limits.runTimeoutMs,
    onStart: (run) => {
      const entry = entries.get(run.reminderId);
      if (!entry) return;
      entry.state.running = { runId: run.runId, dueAt: run.dueAt, startedAt: iso(clock.now()) };
      store.writeState(run.reminderId, entry.state);
    },
    onFinish: (record) => finish(record),
  });

  function record(run: RunRecord): void {
    store.appendHistory(run);
  }

  function persist(entry: Entry): void {
    store.writeState(entry.reminder.id, entry.state);
  }

  function disable(entry: Entry, reason: string): void {
    entry.reminder = {
      ...entry.reminder,
      enabled: false,
      disabledReason: reason,
      updatedAt: iso(clock.now()),
    };
    entry.state.nextRunAt = null;
    entry.state.definition = fingerprint(entry.reminder);
    store.save(entry.reminder);
    persist(entry);
    logger.info({ reminderId: entry.reminder.id, reason }, "reminder disabled");
  }

  function finish(run: RunRecord): void {
    const entry = entries.get(run.reminderId);
    if (!entry) return; // deleted while it ran: leave no files behind
    record(run);
    entry.state.running = null;
    if (run.startedAt !== null) entry.state.lastRunAt = run.startedAt;
    entry.state.lastStatus = run.status;
    if (run.status === "cancelled") {
      // Daemon shutdown: a `once` reminder gets its time back, so the next start applies the misfire policy.
      if (entry.reminder.schedule.type === "once" && entry.reminder.enabled)
        entry.state.nextRunAt = run.dueAt;
      persist(entry);
      return;
    }
    if (run.status === "succeeded") entry.state.consecutiveFailures = 0;
    else entry.state.consecutiveFailures++;
    const reason = disableReasonAfter({
      reminder: entry.reminder,
      state: entry.state,
      run,
      maxConsecutiveFailures: limits.maxConsecutiveFailures,
    });
    if (reason) disable(entry, reason);
    else persist(entry);
    arm();
  }

  function enqueue(entry: Entry, dueAt: number, trigger: QueuedRun["trigger"]): void {
    const { reminder } = entry;
    const runId = `${reminder.id}/${compactTime(dueAt)}`;
    if (queue.busy(reminder.id)) {
      record(
        runRecord({
          runId,
          reminderId: reminder.id,
          status: "skipped",
          trigger,
          dueAt: iso(dueAt),
          finishedAt: iso(clock.now()),
          error: "the previous run of this reminder is still running",
        }),
      );
      return;
    }
    queue.push(queuedRun({ reminder, dueAt, trigger }));
  }

  /** Handles one reminder whose fire time has come: fire, or record a misfire and apply its policy. */
  function handleDue(entry: Entry, now: number): void {
    const dueAt = Date.parse(entry.state.nextRunAt!);
    const { passed, latest, next } = advance({ reminder: entry.reminder, dueAt, now });
    entry.state.nextRunAt = next === undefined ? null : iso(next);
    persist(entry);
    if (now - latest <= limits.lateToleranceMs && passed === 1) {
      enqueue(entry, latest, "schedule");
    } else {
      const misfire = entry.reminder.misfire;
      const catchUp = misfire.policy === "catch-up" && now - latest <= misfire.graceSeconds * 1000;
      record(
        runRecord({
          runId: `${entry.reminder.id}/${compactTime(dueAt)}`,
          reminderId: entry.reminder.id,
          status: "missed",
          trigger: "schedule",
          dueAt: iso(dueAt),
          finishedAt: iso(now),
          error: missedMessage(misfire, catchUp),
          missedCount: passed,
        }),
      );
      logger.warn(
        { reminderId: entry.reminder.id, dueAt: iso(dueAt), missed: passed, catchUp },
        "reminder missed",
      );
      if (catchUp) enqueue(entry, latest, "catch-up");
      else if (entry.reminder.schedule.type === "once")
        disable(entry, `missed at ${iso(dueAt)} and not caught up`);
    }
    if (next === undefined && entry.reminder.enabled && entry.reminder.schedule.type !== "once") {
      disable(entry, `expired at ${entry.reminder.expiresAt ?? iso(now)}`);
    }
  }

  function tick(): void {
    timer = undefined;
    if (!started) return;
    reload();
    const now = clock.now();
    for (const entry of entries.values()) {
      if (!entry.reminder.enabled || entry.state.nextRunAt === null) continue;
      if (Date.parse(entry.state.nextRunAt) <= now) handleDue(entry, now);
    }
    arm();
  }

  function arm(): void {
    if (!started) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    // Wake at the next fire time, and at least every rescan interval to see hand-edited files.
    let earliest = clock.now() + limits.rescanIntervalMs;
    for (const { reminder, state } of entries.values()) {
      if (reminder.enabled && state.nextRunAt !== null)
        earliest = Math.min(earliest, Date.parse(state.nextRunAt));
    }
    timer = timers.setTimeout(tick, Math.min(MAX_TIMER_MS, Math.max(0, earliest - clock.now())));
  }

  /** A fresh schedule for a new or changed definition. */
  function reschedule(entry: Entry): void {
    const first = entry.reminder.enabled ? firstFireTime(entry.reminder) : undefined;
    entry.state.nextRunAt = first === undefined ? null : iso(first);
    entry.state.definition = fingerprint(entry.reminder);
    if (first === undefined && entry.reminder.enabled)
      disable(entry, `expired at ${entry.reminder.expiresAt}`);
    else persist(entry);
  }

  /** Takes a definition read from disk into memory, rescheduling it if it changed. */
  function adopt(reminder: Reminder): void {
    const known = entries.get(reminder.id);
    const entry: Entry = { reminder, state: known?.state ?? store.readState(reminder.id) };
    entries.set(reminder.id, entry);
    if (entry.state.definition !== fingerprint(reminder)) reschedule(entry);
  }

  /** Brings memory in line with the files: new, changed and deleted reminders. */
  function reload(): void {
    const loaded = store.load();
    for (const problem of loaded.problems) {
      const key = `${problem.file}\n${problem.problem}`;
      if (!reported.has(key)) logger.warn(problem, "reminder file skipped");
      reported.add(key);
    }
    problems = loaded.problems;
    const seen = new Set<string>();
    for (const reminder of loaded.reminders) {
      seen.add(reminder.id);
      adopt(reminder);
    }
    for (const id of [...entries.keys()]) if (!seen.has(id)) entries.delete(id);
  }

  /** Re-reads one definition (cheaper than `reload` for single-reminder requests). */
  function reloadOne(id: string): void {
    const result = store.read(id);
    if ("reminder" in result) adopt(result.reminder);
    else if ("missing" in result) entries.delete(id);
  }

  return {
    /** Loads the files, records runs the previous process left unfinished, handles misses, arms the timer. */
    start(): void {
      reload();
      for (const entry of entries.values()) {
        const running = entry.state.running;
        if (!running) continue;
        record(
          runRecord({
            runId: running.runId,
            reminderId: entry.reminder.id,
            status: "interrupted",
            trigger: "schedule",
            dueAt: running.dueAt,
            startedAt: running.startedAt,
            error: "the daemon stopped during this run",
          }),
        );
        entry.state.running = null;
        if (entry.reminder.schedule.type === "once" && entry.reminder.enabled)
          entry.state.nextRunAt = running.dueAt;
        persist(entry);
      }
      started = true;
      tick();
    },

    /** Stops firing, aborts running runs (recorded `cancelled`) and waits for them to settle. */
    async stop(): Promise<void> {
      started = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await queue.shutdown("the daemon is shutting down");
    },

    /** Writes a definition (new or changed) and schedules it from now. */
    save(reminder: Reminder): void {
      store.save(reminder);
      const entry: Entry = entries.get(reminder.id) ?? { reminder, state: store.readState(reminder.id) };
      entry.reminder = reminder;
      if (reminder.enabled) entry.state.consecutiveFailures = 0;
      entries.set(reminder.id, entry);
      reschedule(entry);
      arm();
    },

    /** Deletes the definition, state and history; a running run finishes but is not rescheduled. */
    remove(id: string): boolean {
      entries.delete(id);
      const existed = store.remove(id);
      arm();
      return existed;
    },

    /** Starts a run now, outside the schedule; refused while one of this reminder runs. */
    runNow(id: string): { runId: string } {
      reloadOne(id);
      const entry = entries.get(id);
      if (!entry) throw new NetclawError("reminder_not_found", `No reminder '${id}'.`, { status: 404 });
      if (queue.busy(id)) {
        throw new NetclawError(
          "reminder_running",
          `Reminder '${id}' is already running; wait for it to finish.`,
          {
            status: 409,
          },
        );
      }
      const at = Math.max(clock.now(), lastManualAt + 1);
      lastManualAt = at;
      enqueue(entry, at, "manual");
      return { runId: `${id}/${compactTime(at)}` };
    },

    /** Every reminder with its state, re-read from disk, and the files that could not be used. */
    list(): { entries: Array<Entry & { active: boolean }>; problems: ReminderProblem[] } {
      reload();
      arm();
      return {
        entries: [...entries.values()].map((entry) => ({ ...entry, active: queue.busy(entry.reminder.id) })),
        problems,
      };
    },

    get(id: string): (Entry & { active: boolean }) | undefined {
      reloadOne(id);
      const entry = entries.get(id);
      return entry && { ...entry, active: queue.busy(id) };
    },

    history(id: string, last?: number): RunRecord[] {
      return store.readHistory(id, last);
    },

    /** Counts for status lines, from memory (no disk reads). */
    summary(): {
      total: number;
      enabled: number;
      running: number;
      queued: number;
      problems: number;
      nextRunAt: string | null;
    } {
      const live = [...entries.values()].filter((entry) => entry.reminder.enabled);
      const next = live
        .map((entry) => entry.state.nextRunAt)
        .filter((time): time is string => time !== null)
        .sort()[0];
      return {
        total: entries.size,
        enabled: live.length,
        ...queue.counts(),
        problems: problems.length,
        nextRunAt: next ?? null,
      };
    },
  };
}
