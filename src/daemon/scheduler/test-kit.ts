// Test support for the scheduler: a manual clock with its timer source, temp homes, a launcher
// whose runs the test settles by hand, and reminder definitions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Reminder } from "../../protocol/reminders.ts";
import { createReminderStore } from "./reminder-store.ts";
import { createScheduler, type SchedulerOptions } from "./scheduler.ts";
import type { Clock, ReminderRun, RunOutcome, SchedulerLogger, Timers } from "./types.ts";

/** Time stands still until `advance` moves it; due timers then fire in time order. */
export function createManualClock(start: string | number) {
  let now = typeof start === "number" ? start : Date.parse(start);
  let seq = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const clock: Clock = { now: () => now };
  const timers: Timers = {
    setTimeout(callback, ms) {
      const id = ++seq;
      pending.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  /** Lets promise callbacks (launcher results) run. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    clock,
    timers,
    settle,
    pendingTimers: () => pending.size,
    /** Moves time forward by `ms`, firing every timer that comes due on the way. */
    async advance(ms: number): Promise<void> {
      const target = now + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; callback: () => void }] | undefined;
        for (const item of pending)
          if (item[1].at <= target && (!next || item[1].at < next[1].at)) next = item;
        if (!next) break;
        pending.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].callback();
      }
      now = target;
      await settle();
    },
    /** Jumps time without firing timers: the daemon was down (or asleep). */
    jump(ms: number): void {
      now += ms;
    },
  };
}

export function makeTempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-reminders-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A launcher that records every run and leaves it pending until the test finishes it. */
export function createControlledLauncher() {
  const runs: Array<ReminderRun & { finish: (outcome: RunOutcome) => void; settled: boolean }> = [];
  const launch = (run: ReminderRun) =>
    new Promise<RunOutcome>((resolve) => {
      const entry = {
        ...run,
        settled: false,
        finish: (outcome: RunOutcome) => {
          entry.settled = true;
          resolve(outcome);
        },
      };
      // Like the session engine, the run ends when its signal aborts (timeout, shutdown).
      run.signal.addEventListener("abort", () => entry.finish({ ok: false, error: "aborted" }), {
        once: true,
      });
      runs.push(entry);
    });
  return { launch, runs, open: () => runs.filter((run) => !run.settled) };
}

/** A logger that keeps what it was told. */
export function createMemoryLogger(): SchedulerLogger & {
  lines: Array<{ level: string; message: string; object: object }>;
} {
  const lines: Array<{ level: string; message: string; object: object }> = [];
  const log = (level: string) => (object: object, message: string) => lines.push({ level, message, object });
  return { lines, info: log("info"), warn: log("warn"), error: log("error") };
}

export function reminder(
  fields: Partial<Reminder> & Pick<Reminder, "id" | "schedule">,
  at: number,
): Reminder {
  const stamp = new Date(at).toISOString();
  return {
    title: fields.id,
    instructions: `do ${fields.id}`,
    delivery: { kind: "none" },
    audience: "team",
    enabled: true,
    expiresAt: null,
    misfire: { policy: "skip" },
    disabledReason: null,
    createdAt: stamp,
    updatedAt: stamp,
    ...fields,
  };
}

/** A scheduler over a real directory with the manual clock; `restart` builds a new one on the same files. */
export function createHarness(
  t: TestContext,
  options: { start: string; limits?: SchedulerOptions["limits"] },
) {
  const dir = makeTempDir(t);
  const time = createManualClock(options.start);
  const launcher = createControlledLauncher();
  const logger = createMemoryLogger();
  const store = createReminderStore({ dir });
  const build = () =>
    createScheduler({
      store,
      launch: launcher.launch,
      clock: time.clock,
      timers: time.timers,
      logger,
      limits: options.limits,
    });
  return { dir, time, launcher, logger, store, build };
}
