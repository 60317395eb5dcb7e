/**
 * The clock the model client waits on: first-token and idle timeouts, retry backoff. Injected so
 * tests can run the real timing logic on a compressed scale instead of sleeping for seconds.
 */
export type Timers = {
  /** Monotonic milliseconds, on the same scale as the delays below. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Timers that run `factor` times faster than asked (for tests): 1 s becomes `1000 * factor` ms. */
export function scaledTimers(factor: number): Timers {
  return {
    now: () => performance.now() / factor,
    setTimeout: (callback, ms) => setTimeout(callback, ms * factor),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** Resolves after `ms`, or early (resolving, not rejecting) when `signal` aborts. */
export function sleep(options: { ms: number; signal: AbortSignal; timers: Timers }): Promise<void> {
  const { ms, signal, timers } = options;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      timers.clearTimeout(handle);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const handle = timers.setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export type BackoffOptions = { attempt: number; random: () => number; baseMs?: number; capMs?: number };

/**
 * Exponential backoff with ±25% jitter (reference/agent.md §2 step 6): base · 2^(attempt-1),
 * never more than 30 s, jitter included. `attempt` counts from 1.
 */
export function backoffMs(options: BackoffOptions): number {
  const { attempt, random, baseMs = 1000, capMs = 30_000 } = options;
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 1 + (random() * 0.5 - 0.25);
  return Math.round(Math.min(capMs, raw * jitter));
}
