import assert from "node:assert/strict";
import { test } from "node:test";
import { nextCronTime, parseCron, parseDuration, parseInterval, parseOnce } from "./reminder-schedule.ts";

const now = new Date("2026-03-02T10:00:00.000Z");

test("durations and intervals", () => {
  assert.equal(parseDuration("30m"), 30 * 60_000);
  assert.equal(parseDuration("1h30m"), 90 * 60_000);
  assert.equal(parseDuration("2 d"), 2 * 86_400_000);
  assert.equal(parseDuration("soon"), undefined);
  assert.equal(parseDuration(""), undefined);
  assert.equal(parseInterval("every 6h"), 6 * 3_600_000);
  assert.equal(parseInterval("Every 1m"), 60_000);
  assert.equal(parseInterval("60s"), 60_000);
  assert.throws(() => parseInterval("every 59s"), /minimum of 60 seconds/);
  assert.throws(() => parseInterval("every 0m"), /minimum of 60 seconds/);
  assert.throws(() => parseInterval("daily"), /'every 6h'/);
});

test("once: a delay, an ISO time with or without a zone, never the past", () => {
  assert.equal(parseOnce("2h", now).toISOString(), "2026-03-02T12:00:00.000Z");
  assert.equal(parseOnce("2026-03-02T12:30:00+01:00", now).toISOString(), "2026-03-02T11:30:00.000Z");
  assert.equal(parseOnce("2026-03-03T09:15", now).toISOString(), "2026-03-03T09:15:00.000Z");
  assert.equal(parseOnce("2026-03-04", now).toISOString(), "2026-03-04T00:00:00.000Z");
  assert.throws(() => parseOnce("0m", now), /not in the future/);
  assert.throws(() => parseOnce("2026-03-02T09:59:59Z", now), /in the past/);
  assert.throws(() => parseOnce("next tuesday", now), /neither a delay/);
});

test("cron: five fields, UTC by default, CRON_TZ prefix", () => {
  assert.deepEqual(parseCron("*/15 * * * *"), { fields: "*/15 * * * *", timezone: "UTC" });
  assert.deepEqual(parseCron("CRON_TZ=Asia/Tokyo  0 9 * * 1-5"), {
    fields: "0 9 * * 1-5",
    timezone: "Asia/Tokyo",
  });
  assert.throws(() => parseCron("0 9 * *"), /has 4 fields; expected 5/);
  assert.throws(() => parseCron("0 0 9 * * *"), /has 6 fields/);
  assert.throws(() => parseCron("0 25 * * *"), /Invalid cron expression/);
  assert.throws(() => parseCron("CRON_TZ=Nowhere/City 0 9 * * *"), /Unknown time zone 'Nowhere\/City'/);
  assert.equal(nextCronTime("0 9 * * *", now)!.toISOString(), "2026-03-03T09:00:00.000Z");
  assert.equal(nextCronTime("CRON_TZ=Asia/Tokyo 0 9 * * *", now)!.toISOString(), "2026-03-03T00:00:00.000Z");
  // Berlin springs forward on 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 UTC after.
  const spring = new Date("2026-03-28T12:00:00.000Z");
  assert.equal(
    nextCronTime("CRON_TZ=Europe/Berlin 0 9 * * *", spring)!.toISOString(),
    "2026-03-29T07:00:00.000Z",
  );
});
