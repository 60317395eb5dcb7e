import { z } from "zod";
import {
  audienceSchema,
  type ReminderView,
  type RunRecord,
  reminderIdSchema,
} from "../../protocol/reminders.ts";
import type { ReminderCaller, ReminderService } from "./reminder-service.ts";

/** The result every tool returns (the contract of src/daemon/tools/tool.ts). */
export type ReminderToolResult = { content: string; isError: boolean };

/** A tool as data, shaped like src/daemon/tools/tool.ts `Tool` so the dispatcher takes it as is. */
export type ReminderTool = {
  name: string;
  description: string;
  parameters: z.ZodObject;
  execute(args: Record<string, unknown>, ctx: { signal: AbortSignal }): Promise<ReminderToolResult>;
};

const idParam = reminderIdSchema.describe("Reminder id (kebab-case).");

const setParameters = z.object({
  Id: idParam.describe("Reminder id (kebab-case); setting an existing id updates it."),
  Name: z.string().trim().min(1).max(200).optional().describe("Short title."),
  Prompt: z.string().trim().min(1).max(20_000).describe("What to do when it fires: the run's user message."),
  ScheduleType: z.enum(["once", "interval", "cron"]),
  Schedule: z
    .string()
    .trim()
    .min(1)
    .describe(
      "once: a delay like '30m' or '2h', or an ISO time (UTC unless it has an offset). interval: 'every 6h' (at least 1m). cron: 5 fields in UTC, optionally prefixed 'CRON_TZ=Europe/Berlin '.",
    ),
  DeliveryKind: z
    .enum(["current_session", "none"])
    .default("none")
    .describe("current_session: run inside this conversation; none: run in a fresh session of its own."),
  Audience: audienceSchema
    .optional()
    .describe(
      "Defaults to this session's audience; may be lowered (personal > team > public), never raised.",
    ),
  ExpiresIn: z.string().trim().optional().describe("Recurring only: stop after this long, e.g. '30d'."),
  MisfirePolicy: z
    .enum(["skip", "catch-up"])
    .default("skip")
    .describe("If the daemon was down at the due time: skip it, or run it late within CatchUpGraceMinutes."),
  CatchUpGraceMinutes: z.number().int().min(1).max(10_080).default(60),
});

const idOnly = z.object({ Id: idParam });
const historyParameters = z.object({ Id: idParam, Last: z.number().int().min(1).max(500).default(10) });

/**
 * The reminder tools for one session: `caller` is that session's audience (and id, for
 * `current_session` delivery). Tools never throw; a refusal is an error result saying what to fix.
 */
export function createReminderTools(options: {
  service: ReminderService;
  caller: ReminderCaller;
}): ReminderTool[] {
  const { service, caller } = options;
  const guarded =
    <S extends z.ZodObject>(schema: S, body: (args: z.infer<S>) => string) =>
    async (args: Record<string, unknown>): Promise<ReminderToolResult> => {
      try {
        return { content: body(schema.parse(args)), isError: false };
      } catch (error) {
        return { content: (error as Error).message, isError: true };
      }
    };

  return [
    {
      name: "set_reminder",
      description:
        "Create or update a reminder: a prompt that runs later on its own (once, on an interval, or on a cron schedule), unattended — tools that need approval are denied during the run.",
      parameters: setParameters,
      execute: guarded(setParameters, (args) => {
        if (args.DeliveryKind === "current_session" && !caller.sessionId) {
          throw new Error("This session has no id to deliver to; use DeliveryKind 'none'.");
        }
        const { reminder, created } = service.set(
          {
            id: args.Id,
            title: args.Name,
            instructions: args.Prompt,
            scheduleType: args.ScheduleType,
            schedule: args.Schedule,
            delivery:
              args.DeliveryKind === "current_session"
                ? { kind: "current_session", sessionId: caller.sessionId! }
                : { kind: "none" },
            audience: args.Audience,
            expiresIn: args.ExpiresIn,
            misfire:
              args.MisfirePolicy === "catch-up"
                ? { policy: "catch-up", graceSeconds: args.CatchUpGraceMinutes * 60 }
                : { policy: "skip" },
          },
          { caller },
        );
        return `${created ? "Created" : "Updated"} reminder ${describe(reminder)}`;
      }),
    },
    {
      name: "list_reminders",
      description: "List reminders with their schedule, next run and state.",
      parameters: z.object({}),
      execute: guarded(z.object({}), () => {
        const { reminders } = service.list(caller);
        if (reminders.length === 0) return "No reminders.";
        return reminders.map((reminder) => `- ${describe(reminder)}`).join("\n");
      }),
    },
    {
      name: "cancel_reminder",
      description: "Stop a reminder from firing (it is disabled; its history is kept).",
      parameters: idOnly,
      execute: guarded(idOnly, (args) => {
        service.setEnabled(args.Id, { enabled: false, caller, reason: "cancelled" });
        return `Cancelled reminder ${args.Id}.`;
      }),
    },
    {
      name: "run_reminder",
      description: "Run a reminder now, outside its schedule.",
      parameters: idOnly,
      execute: guarded(idOnly, (args) => {
        const { runId } = service.run(args.Id, caller);
        return `Started run ${runId}; see get_reminder_history for the result.`;
      }),
    },
    {
      name: "get_reminder_history",
      description: "The latest runs of a reminder (newest last): status, times and errors.",
      parameters: historyParameters,
      execute: guarded(historyParameters, (args) => {
        const runs = service.history(args.Id, { caller, last: args.Last });
        if (runs.length === 0) return `Reminder ${args.Id} has not run yet.`;
        return runs.map(describeRun).join("\n");
      }),
    },
  ];
}

function describe(reminder: ReminderView): string {
  const schedule =
    reminder.schedule.type === "once"
      ? `once at ${reminder.schedule.fireAt}`
      : reminder.schedule.type === "interval"
        ? reminder.schedule.every
        : `cron ${reminder.schedule.expression}`;
  const state = reminder.enabled
    ? `next run ${reminder.state.nextRunAt ?? "none"}`
    : `disabled${reminder.disabledReason ? ` (${reminder.disabledReason})` : ""}`;
  return `${reminder.id} "${reminder.title}": ${schedule}; ${state}; audience ${reminder.audience}.`;
}

function describeRun(run: RunRecord): string {
  const when = run.startedAt ?? run.finishedAt ?? run.dueAt;
  const extra = run.missedCount && run.missedCount > 1 ? ` (${run.missedCount} fire times)` : "";
  return `${when} ${run.status}${extra}${run.error ? `: ${run.error}` : ""}`;
}
