/** Keys (client IPs) tracked at most by one limiter or lockout tracker before old ones are evicted. */
export const DEFAULT_MAX_KEYS = 10_000;

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type FixedWindowLimiter = {
  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): LimitDecision;
  /** Keys currently tracked (bounded by `maxKeys`). */
  size(): number;
};

/**
 * Fixed-window rate limiter per key: at most `limit` hits per window of `windowMs`, windows
 * aligned to the clock (`floor(now / windowMs)`), so every key rolls over at the same instant.
 * Used as 5/min per IP for the pairing exchange and 10/s per IP for local control. In memory and
 * bounded by `maxKeys`: stale windows are dropped first, then the least recently started ones.
 */
export function createFixedWindowLimiter(options: {
  limit: number;
  windowMs: number;
  now: () => number;
  maxKeys?: number;
}): FixedWindowLimiter {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  // Map order = order in which each key's current window started (re-inserted on rollover).
  const windows = new Map<string, { start: number; count: number }>();

  return {
    hit(key) {
      const now = options.now();
      const start = Math.floor(now / options.windowMs) * options.windowMs;
      let entry = windows.get(key);
      if (entry === undefined || entry.start !== start) {
        windows.delete(key);
        if (windows.size >= maxKeys) {
          for (const [k, e] of windows) if (e.start !== start) windows.delete(k);
        }
        evictOldest(windows, maxKeys - 1);
        entry = { start, count: 0 };
        windows.set(key, entry);
      }
      entry.count += 1;
      if (entry.count <= options.limit) return { allowed: true };
      return { allowed: false, retryAfterSeconds: secondsUntil(start + options.windowMs, now) };
    },
    size: () => windows.size,
  };
}

export type LockoutStatus = { locked: false } | { locked: true; retryAfterSeconds: number };

export type FailureLockout = {
  /** Whether `key` is locked out right now (does not count anything). */
  check(key: string): LockoutStatus;
  /** Counts one failure; the failure that reaches the threshold starts the lockout. */
  recordFailure(key: string): LockoutStatus;
  /** Keys currently tracked (bounded by `maxKeys`). */
  size(): number;
};

/**
 * Failure lockout per key: `maxFailures` failures within a rolling `windowMs` lock the key out for
 * `lockoutMs` (defaults 10 failures / 15 min → 15 min). When the lockout ends the count starts from
 * zero. In memory and bounded by `maxKeys`: keys with nothing live are dropped first, then the
 * oldest unlocked keys, and only as a last resort the oldest locked ones.
 */
export function createFailureLockout(options: {
  now: () => number;
  maxFailures?: number;
  windowMs?: number;
  lockoutMs?: number;
  maxKeys?: number;
}): FailureLockout {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const lockoutMs = options.lockoutMs ?? 15 * 60_000;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  // Map order = order of each key's most recent failure (re-inserted on every failure).
  const entries = new Map<string, { failures: number[]; lockedUntil: number }>();

  function refresh(key: string, now: number): { failures: number[]; lockedUntil: number } | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.lockedUntil !== 0 && entry.lockedUntil <= now) {
      entry.lockedUntil = 0;
      entry.failures = [];
    }
    entry.failures = entry.failures.filter((t) => t > now - windowMs);
    if (entry.lockedUntil === 0 && entry.failures.length === 0) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function status(entry: { lockedUntil: number } | undefined, now: number): LockoutStatus {
    if (entry === undefined || entry.lockedUntil === 0) return { locked: false };
    return { locked: true, retryAfterSeconds: secondsUntil(entry.lockedUntil, now) };
  }

  function makeRoom(now: number): void {
    if (entries.size < maxKeys) return;
    for (const key of [...entries.keys()]) refresh(key, now);
    for (const [key, entry] of entries) {
      if (entries.size < maxKeys) return;
      if (entry.lockedUntil === 0) entries.delete(key);
    }
    evictOldest(entries, maxKeys - 1);
  }

  return {
    check(key) {
      const now = options.now();
      return status(refresh(key, now), now);
    },
    recordFailure(key) {
      const now = options.now();
      let entry = refresh(key, now);
      if (entry?.lockedUntil) return status(entry, now); // already locked: nothing more to count
      if (entry === undefined) {
        makeRoom(now);
        entry = { failures: [], lockedUntil: 0 };
      }
      entries.delete(key);
      entries.set(key, entry);
      entry.failures.push(now);
      if (entry.failures.length >= maxFailures) {
        entry.lockedUntil = now + lockoutMs;
        entry.failures = [];
      }
      return status(entry, now);
    },
    size: () => entries.size,
  };
}

function evictOldest(map: Map<string, unknown>, keep: number): void {
  for (const key of map.keys()) {
    if (map.size <= keep) return;
    map.delete(key);
  }
}

/** Whole seconds until `until`, at least 1 so a `Retry-After` header never says 0. */
function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
