import { z } from "zod";
import { parseCron, parseInterval } from "./reminder-schedule.ts";

/** Who a session (and a reminder run) acts for; tools and memory are scoped by it. */
export const audienceSchema = z.preprocess(
  (value) => (typeof value === "string" ? value.trim().toLowerCase() : value),
  z.enum(["public", "team", "personal"]),
);
export type Audience = "public" | "team" | "personal";

const AUDIENCE_RANK: Record<Audience, number> = { public: 0, team: 1, personal: 2 };

/** True when `requested` is `limit` or lower (Personal > Team > Public). */
export function audienceAtMost(requested: Audience, limit: Audience): boolean {
  return AUDIENCE_RANK[requested] <= AUDIENCE_RANK[limit];
}

export const reminderIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    "must be kebab-case: lowercase letters and digits separated by single hyphens",
  )
  .max(64);

const isoTime = z.iso.datetime({ offset: true });

export const scheduleSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("once"), fireAt: isoTime }),
  z.object({
    type: z.literal("interval"),
    every: z.string().superRefine((value, ctx) => refineWith(ctx, () => parseInterval(value))),
  }),
  z.object({
    type: z.literal("cron"),
    expression: z.string().superRefine((value, ctx) => refineWith(ctx, () => parseCron(value))),
  }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

function refineWith(ctx: z.RefinementCtx, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
  }
}

export const deliverySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("current_session"), sessionId: z.string().min(1) }),
]);
export type Delivery = z.infer<typeof deliverySchema>;

/** What to do with a fire time that passed while the daemon was down (or asleep). */
export const misfireSchema = z.discriminatedUnion("policy", [
  z.object({ policy: z.literal("skip") }),
  z.object({
    policy: z.literal("catch-up"),
    /** A missed run is still started if the daemon is back within this many seconds of the due time. */
    graceSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
  }),
]);
export type Misfire = z.infer<typeof misfireSchema>;

/**
 * One reminder file, `schedules/reminders/<id>.json`. `audience` has no default: a file without
 * it is refused (and kept), because guessing a trust level is how privileges leak.
 */
export const reminderSchema = z
  .object({
    id: reminderIdSchema,
    title: z.string().trim().min(1).max(200),
    instructions: z.string().trim().min(1).max(20_000),
    schedule: scheduleSchema,
    delivery: deliverySchema.default({ kind: "none" }),
    audience: audienceSchema,
    enabled: z.boolean().default(true),
    expiresAt: isoTime.nullable().default(null),
    misfire: misfireSchema.default({ policy: "skip" }),
    /** Why the scheduler turned the reminder off (completed, expired, failures). */
    disabledReason: z.string().nullable().default(null),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .superRefine((value, ctx) => {
    if (value.expiresAt !== null && value.schedule.type === "once") {
      ctx.addIssue({
        code: "custom",
        path: ["expiresAt"],
        message: "only recurring reminders (interval, cron) can expire; remove expiresAt",
      });
    }
  });
export type Reminder = z.infer<typeof reminderSchema>;

/** `POST /api/reminders` and `set_reminder`: the schedule as a person writes it. */
export const reminderInputSchema = z.object({
  id: reminderIdSchema,
  title: z.string().trim().min(1).max(200).optional(),
  instructions: z.string().trim().min(1).max(20_000),
  scheduleType: z.enum(["once", "interval", "cron"]),
  /** `30m` or an ISO time; `every 6h`; `[CRON_TZ=<IANA> ]m h dom mon dow`. */
  schedule: z.string().trim().min(1),
  delivery: deliverySchema.optional(),
  audience: audienceSchema.optional(),
  enabled: z.boolean().optional(),
  /** Recurring only: `30d`, `12h`. */
  expiresIn: z.string().trim().min(1).optional(),
  misfire: misfireSchema.optional(),
});
export type ReminderInput = z.infer<typeof reminderInputSchema>;

export const writeModeSchema = z.enum(["create", "replace", "upsert"]);
export type WriteMode = z.infer<typeof writeModeSchema>;

/** `POST /api/reminders` body: the input plus how to treat an existing id (`upsert` by default). */
export const createReminderRequestSchema = reminderInputSchema.extend({
  writeMode: writeModeSchema.default("upsert"),
});

/** `POST /api/reminders/import` and `/validate`: reminder files (one or many). */
export const importRequestSchema = z.object({
  reminders: z.array(z.unknown()).min(1).max(1000),
  writeMode: writeModeSchema.default("create"),
});

export const runStatusSchema = z.enum([
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "missed",
  "skipped",
  "cancelled",
  "interrupted",
]);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** One line of `<id>.history.jsonl` (the last 500 are kept). */
export const runRecordSchema = z.object({
  runId: z.string(),
  reminderId: z.string(),
  status: runStatusSchema,
  trigger: z.enum(["schedule", "manual", "catch-up"]),
  dueAt: isoTime,
  sessionKey: z.string().nullable().default(null),
  startedAt: isoTime.nullable().default(null),
  finishedAt: isoTime.nullable().default(null),
  error: z.string().nullable().default(null),
  /** For `missed`: how many fire times passed (an interval can miss several). */
  missedCount: z.number().int().min(1).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** `<id>.state.json`: what the scheduler must remember across restarts. */
export const reminderStateSchema = z.object({
  nextRunAt: isoTime.nullable().default(null),
  consecutiveFailures: z.number().int().min(0).default(0),
  lastRunAt: isoTime.nullable().default(null),
  lastStatus: runStatusSchema.nullable().default(null),
  /** Fingerprint of the definition `nextRunAt` was computed from; a changed file is rescheduled. */
  definition: z.string().nullable().default(null),
  /** Set while a run is in flight: found at start, it means the daemon died mid-run. */
  running: z.object({ runId: z.string(), dueAt: isoTime, startedAt: isoTime }).nullable().default(null),
});
export type ReminderState = z.infer<typeof reminderStateSchema>;

/** A reminder as the API shows it: the file plus its live state. */
export type ReminderView = Reminder & { state: ReminderState & { active: boolean } };

/** A file the store could not use: kept on disk, reported here. */
export type ReminderProblem = { file: string; problem: string };

export type ReminderListResponse = { reminders: ReminderView[]; problems: ReminderProblem[] };
export type ReminderResponse = { reminder: ReminderView; created?: boolean };
export type ReminderHistoryResponse = { reminderId: string; runs: RunRecord[] };
/** `POST /api/reminders/validate`: one result per document, in order. */
export const validateResponseSchema = z.object({
  valid: z.boolean(),
  results: z.array(
    z.object({
      index: z.number().int(),
      id: z.string().nullable(),
      ok: z.boolean(),
      problem: z.string().optional(),
    }),
  ),
});
export type ValidateResponse = z.infer<typeof validateResponseSchema>;

/** `POST /api/reminders/import`: every document was saved (otherwise nothing was). */
export const importResponseSchema = z.object({
  imported: z.array(z.object({ id: z.string(), created: z.boolean() })),
});

/** `path: message; …` for a zod error — names the field so the user can fix it. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * Checks one reminder document (from an import file) the way the daemon will: schema, schedule,
 * and a `once` time that must still be ahead of `now` when the reminder is enabled. Shared by the
 * daemon and `netclaw reminder validate`, which works without a daemon.
 */
export function checkReminderDocument(
  raw: unknown,
  now: Date,
): { ok: true; reminder: Reminder } | { ok: false; id: string | null; problem: string } {
  const id =
    typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string"
      ? (raw as { id: string }).id
      : null;
  // Timestamps may be left out of a hand-written document.
  const stamp = now.toISOString();
  const withStamps =
    typeof raw === "object" && raw !== null && !Array.isArray(raw)
      ? { createdAt: stamp, updatedAt: stamp, ...raw }
      : raw;
  const parsed = reminderSchema.safeParse(withStamps);
  if (!parsed.success) return { ok: false, id, problem: describeIssues(parsed.error) };
  const reminder = parsed.data;
  if (
    reminder.enabled &&
    reminder.schedule.type === "once" &&
    Date.parse(reminder.schedule.fireAt) <= now.getTime()
  ) {
    return { ok: false, id, problem: `schedule.fireAt: ${reminder.schedule.fireAt} is in the past` };
  }
  return { ok: true, reminder };
}

/** An import file holds one reminder, an array of them, or `{ "reminders": [...] }`. */
export function reminderDocuments(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === "object" && raw !== null && Array.isArray((raw as { reminders?: unknown }).reminders)) {
    return (raw as { reminders: unknown[] }).reminders;
  }
  return [raw];
}
