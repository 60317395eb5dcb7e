import { Cron } from "croner";

/** Recurring reminders may not fire more often than this (reference/userdocs.md §8). */
export const MIN_INTERVAL_MS = 60_000;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(?:\d+\s*[smhdw]\s*)+$/i;
const DURATION_PART = /(\d+)\s*([smhdw])/gi;

/** `30m`, `2h`, `1h30m`, `7d` → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(DURATION_PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  }
  return total;
}

/** `every 6h` or `6h` → milliseconds; throws with the fix when invalid or under 60 s. */
export function parseInterval(text: string): number {
  const body = text.trim().replace(/^every\s+/i, "");
  const ms = parseDuration(body);
  if (ms === undefined) {
    throw new Error(`'${text}' is not an interval; write it like 'every 6h', 'every 30m' or 'every 1d'.`);
  }
  if (ms < MIN_INTERVAL_MS) {
    throw new Error(
      `Interval '${text}' is shorter than the minimum of 60 seconds; use 'every 1m' or longer.`,
    );
  }
  return ms;
}

export type CronSpec = { fields: string; timezone: string };

/**
 * `[CRON_TZ=<IANA> ]<minute> <hour> <day-of-month> <month> <day-of-week>`; UTC without the prefix.
 * Throws with the problem and the expected form.
 */
export function parseCron(expression: string): CronSpec {
  let rest = expression.trim();
  let timezone = "UTC";
  const tz = /^CRON_TZ=(\S+)\s+/.exec(rest);
  if (tz) {
    timezone = tz[1]!;
    rest = rest.slice(tz[0].length);
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      throw new Error(`Unknown time zone '${timezone}' in CRON_TZ; use an IANA name like Europe/Berlin.`);
    }
  }
  const fields = rest.split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5) {
    throw new Error(
      `Cron expression '${expression}' has ${fields.length} fields; expected 5 (minute hour day-of-month month day-of-week), optionally prefixed with 'CRON_TZ=<IANA zone> '.`,
    );
  }
  const joined = fields.join(" ");
  try {
    new Cron(joined, { timezone });
  } catch (error) {
    throw new Error(`Invalid cron expression '${expression}': ${(error as Error).message}.`);
  }
  return { fields: joined, timezone };
}

/** The first fire time of a cron expression strictly after `after`, or undefined if none. */
export function nextCronTime(expression: string, after: Date): Date | undefined {
  const spec = parseCron(expression);
  return new Cron(spec.fields, { timezone: spec.timezone }).nextRun(after) ?? undefined;
}

/**
 * `30m` (from `now`) or an ISO time (UTC when it names no zone) → the fire time. Throws when
 * unreadable or not in the future.
 */
export function parseOnce(text: string, now: Date): Date {
  const relative = parseDuration(text);
  if (relative !== undefined) {
    if (relative <= 0) throw new Error(`'${text}' is not in the future; use a delay like '30m' or '2h'.`);
    return new Date(now.getTime() + relative);
  }
  const trimmed = text.trim();
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(trimmed);
  const isoish = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?/.test(trimmed);
  const time = isoish ? Date.parse(hasZone || !trimmed.includes(":") ? trimmed : `${trimmed}Z`) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new Error(`'${text}' is neither a delay ('30m', '2h') nor an ISO time ('2026-05-01T09:00:00Z').`);
  }
  if (time <= now.getTime()) throw new Error(`Time '${text}' is in the past; give a future time.`);
  return new Date(time);
}
