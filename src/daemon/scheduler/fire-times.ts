import { nextCronTime, parseInterval } from "../../protocol/reminder-schedule.ts";
import type { Reminder } from "../../protocol/reminders.ts";

/** A cron reminder down for weeks is not worth counting minute by minute. */
const MAX_COUNTED_MISSES = 10_000;

/**
 * The first fire time of a (re)defined reminder. Recurring schedules start from `updatedAt`, so
 * editing or re-enabling a reminder never back-dates fires; a `once` reminder fires at its time,
 * even one already past (the caller treats that as missed).
 */
export function firstFireTime(reminder: Reminder): number | undefined {
  const anchor = Date.parse(reminder.updatedAt);
  let first: number | undefined;
  switch (reminder.schedule.type) {
    case "once":
      return Date.parse(reminder.schedule.fireAt);
    case "interval":
      first = anchor + parseInterval(reminder.schedule.every);
      break;
    case "cron":
      first = nextCronTime(reminder.schedule.expression, new Date(anchor))?.getTime();
      break;
  }
  return withinExpiry(reminder, first);
}

/**
 * Walks the schedule from `dueAt` (a fire time that has come) to the first fire time after
 * `now`. `passed` counts the fire times in [dueAt, now] (at least 1) and `latest` is the newest of
 * them; `next` is undefined for `once`, after expiry, or when cron has no further time.
 */
export function advance(options: { reminder: Reminder; dueAt: number; now: number }): {
  passed: number;
  latest: number;
  next: number | undefined;
} {
  const { reminder, dueAt, now } = options;
  const schedule = reminder.schedule;
  if (schedule.type === "once") return { passed: 1, latest: dueAt, next: undefined };
  if (schedule.type === "interval") {
    const every = parseInterval(schedule.every);
    const steps = Math.floor((now - dueAt) / every);
    const latest = dueAt + steps * every;
    return { passed: steps + 1, latest, next: withinExpiry(reminder, latest + every) };
  }
  let passed = 1;
  let latest = dueAt;
  let next = nextCronTime(schedule.expression, new Date(dueAt))?.getTime();
  while (next !== undefined && next <= now) {
    passed++;
    latest = next;
    next =
      passed < MAX_COUNTED_MISSES
        ? nextCronTime(schedule.expression, new Date(next))?.getTime()
        : nextCronTime(schedule.expression, new Date(now))?.getTime();
  }
  return { passed, latest, next: withinExpiry(reminder, next) };
}

function withinExpiry(reminder: Reminder, time: number | undefined): number | undefined {
  if (time === undefined || reminder.expiresAt === null) return time;
  return time <= Date.parse(reminder.expiresAt) ? time : undefined;
}

/**
 * `20261123T091500Z`: the fire time as it appears in session keys and run ids. Milliseconds are
 * kept when there are any (`20261123T091500.250Z`), so two manual runs in one second stay two runs.
 */
export function compactTime(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.000Z$/, "Z");
}
