import type { Timers } from "./timers.ts";

export type WatchdogPhase = "first_token" | "idle";

/**
 * The two stream timeouts of reference/agent.md §2 step 6 as one timer: until the first token the
 * deadline is fixed (start + first-token timeout); after it, every stream part pushes the
 * deadline to now + idle timeout. Parts only record a timestamp — the timer re-checks when it
 * fires — so a fast stream costs no timer churn. While paused (the consumer holds an event) it
 * never fires.
 */
export function createWatchdog(options: {
  timers: Timers;
  firstTokenMs: number;
  idleMs: number;
  onTimeout: (phase: WatchdogPhase) => void;
}) {
  const { timers, firstTokenMs, idleMs, onTimeout } = options;
  let phase: WatchdogPhase = "first_token";
  let deadline = timers.now() + firstTokenMs;
  let paused = false;
  let stopped = false;
  let handle: unknown;

  const check = () => {
    handle = undefined;
    if (stopped) return;
    const remaining = deadline - timers.now();
    if (paused || remaining > 0) {
      handle = timers.setTimeout(check, paused ? idleMs : remaining);
      return;
    }
    stopped = true;
    onTimeout(phase);
  };
  handle = timers.setTimeout(check, firstTokenMs);

  return {
    /** A stream part arrived; `token` when it is model output (text, reasoning, a tool call). */
    activity(token: boolean): void {
      if (token) phase = "idle";
      if (phase === "idle") deadline = timers.now() + idleMs;
    },
    pause(): void {
      paused = true;
    },
    resume(): void {
      paused = false;
      if (phase === "idle") deadline = timers.now() + idleMs;
    },
    stop(): void {
      stopped = true;
      if (handle !== undefined) timers.clearTimeout(handle);
    },
  };
}
