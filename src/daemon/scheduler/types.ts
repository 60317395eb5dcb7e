import type { Audience, RunRecord } from "../../protocol/reminders.ts";

/** One reminder run handed to the session engine. */
export type ReminderRun = {
  /** `<reminderId>/<compact fire time>`: unique per fire; the dedupe key for `current_session`. */
  runId: string;
  reminderId: string;
  title: string;
  /** `schedule/<id>/<runTs>` for a fresh session, or the origin session id for `current_session`. */
  sessionKey: string;
  /** True for a fresh `schedule/…` session, false when re-entering the origin session. */
  freshSession: boolean;
  /** The reminder's instructions: the run's user message. */
  prompt: string;
  /** The stored audience; the run never gets more. */
  audience: Audience;
  /** Always true: nobody can answer an approval prompt, so the launcher must deny instead. */
  unattended: true;
  trigger: RunRecord["trigger"];
  dueAt: string;
  /** Aborted on the run timeout or at daemon shutdown; the launcher stops the turn. */
  signal: AbortSignal;
};

export type RunOutcome = { ok: boolean; error?: string };

/**
 * Starts a reminder run and settles when it has finished. Resolves `{ok:false, error}` for a
 * failed run; a rejection counts as a failure too. Wired by main.ts to the session engine.
 */
export type RunLauncher = (run: ReminderRun) => Promise<RunOutcome>;

/** Wall clock, injected so tests move time by hand. */
export type Clock = { now(): number };

/** Timer source, injected with the clock (`globalThis` timers in the daemon). */
export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** The logger subset the scheduler uses (pino fits). */
export type SchedulerLogger = {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
};

export type SchedulerLimits = {
  /** Runs at once across all reminders; the rest wait in a queue. Default 3. */
  maxConcurrentRuns: number;
  /** A run is aborted and counted as failed after this long. Default 300 s. */
  runTimeoutMs: number;
  /** Consecutive failures that turn a reminder off. Default 5. */
  maxConsecutiveFailures: number;
  /** A fire time that passed more than this long ago is a misfire, not a late run. Default 60 s. */
  lateToleranceMs: number;
  /** How often the directory is re-read, so files added or edited by hand take effect. Default 60 s. */
  rescanIntervalMs: number;
};

export const DEFAULT_LIMITS: SchedulerLimits = {
  maxConcurrentRuns: 3,
  runTimeoutMs: 300_000,
  maxConsecutiveFailures: 5,
  lateToleranceMs: 60_000,
  rescanIntervalMs: 60_000,
};

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const systemClock: Clock = { now: () => Date.now() };
