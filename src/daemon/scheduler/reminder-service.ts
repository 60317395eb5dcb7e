import { NetclawError } from "../../protocol/errors.ts";
import { parseCron, parseDuration, parseInterval, parseOnce } from "../../protocol/reminder-schedule.ts";
import {
  type Audience,
  audienceAtMost,
  checkReminderDocument,
  type Reminder,
  type ReminderInput,
  type ReminderListResponse,
  type ReminderView,
  type RunRecord,
  type Schedule,
  type ValidateResponse,
  type WriteMode,
} from "../../protocol/reminders.ts";
import type { Scheduler } from "./scheduler.ts";
import type { Clock } from "./types.ts";

/** Who is asking: the audience of the session (or Personal for the local operator and devices). */
export type ReminderCaller = { audience: Audience; sessionId?: string };

export type ReminderService = ReturnType<typeof createReminderService>;

const badRequest = (code: string, message: string) => new NetclawError(code, message, { status: 400 });

/**
 * The rules around the scheduler shared by the API and the agent's tools: schedules written the
 * way people write them, write modes, and audiences. A caller sees and changes only reminders at
 * its own audience or lower, and never creates one above its own.
 */
export function createReminderService(options: { scheduler: Scheduler; clock: Clock }) {
  const { scheduler, clock } = options;
  const now = () => new Date(clock.now());

  function visible(id: string, caller: ReminderCaller) {
    const entry = scheduler.get(id);
    if (!entry || !audienceAtMost(entry.reminder.audience, caller.audience)) {
      throw new NetclawError("reminder_not_found", `No reminder '${id}'. List them with list_reminders.`, {
        status: 404,
      });
    }
    return entry;
  }

  function view(id: string): ReminderView {
    const entry = scheduler.get(id)!;
    return { ...entry.reminder, state: { ...entry.state, active: entry.active } };
  }

  function checkAudience(audience: Audience, caller: ReminderCaller): void {
    if (!audienceAtMost(audience, caller.audience)) {
      throw new NetclawError(
        "audience_too_high",
        `A reminder cannot have audience '${audience}': it may not be higher than its creator's ('${caller.audience}'). Leave audience out or lower it.`,
        { status: 403 },
      );
    }
  }

  function guardWrite(id: string, mode: WriteMode, caller: ReminderCaller): Reminder | undefined {
    const existing = scheduler.get(id)?.reminder;
    if (existing && !audienceAtMost(existing.audience, caller.audience)) {
      throw new NetclawError(
        "audience_too_high",
        `Reminder '${id}' belongs to a higher audience ('${existing.audience}') and cannot be changed from here.`,
        { status: 403 },
      );
    }
    if (existing && mode === "create") {
      throw new NetclawError("reminder_exists", `Reminder '${id}' already exists; use upsert or replace.`, {
        status: 409,
      });
    }
    if (!existing && mode === "replace") {
      throw new NetclawError("reminder_not_found", `No reminder '${id}' to replace.`, { status: 404 });
    }
    return existing;
  }

  function buildSchedule(input: ReminderInput): Schedule {
    try {
      if (input.scheduleType === "once")
        return { type: "once", fireAt: parseOnce(input.schedule, now()).toISOString() };
      if (input.scheduleType === "interval") {
        parseInterval(input.schedule);
        return { type: "interval", every: input.schedule };
      }
      parseCron(input.schedule);
      return { type: "cron", expression: input.schedule };
    } catch (error) {
      throw badRequest("invalid_schedule", (error as Error).message);
    }
  }

  function expiresAt(input: ReminderInput): string | null {
    if (input.expiresIn === undefined) return null;
    if (input.scheduleType === "once") {
      throw badRequest(
        "invalid_expiry",
        "Only recurring reminders (interval, cron) can expire; drop expiresIn.",
      );
    }
    const ms = parseDuration(input.expiresIn);
    if (!ms)
      throw badRequest(
        "invalid_expiry",
        `expiresIn '${input.expiresIn}' is not a duration like '30d' or '12h'.`,
      );
    return new Date(clock.now() + ms).toISOString();
  }

  function validate(documents: unknown[]): ValidateResponse {
    const results = documents.map((raw, index) => {
      const checked = checkReminderDocument(raw, now());
      return checked.ok
        ? { index, id: checked.reminder.id, ok: true }
        : { index, id: checked.id, ok: false, problem: checked.problem };
    });
    return { valid: results.every((result) => result.ok), results };
  }

  return {
    /** Creates or updates from a person's or the agent's input; `upsert` unless told otherwise. */
    set(input: ReminderInput, options: { caller: ReminderCaller; writeMode?: WriteMode }) {
      const existing = guardWrite(input.id, options.writeMode ?? "upsert", options.caller);
      const audience = input.audience ?? existing?.audience ?? options.caller.audience;
      checkAudience(audience, options.caller);
      const stamp = now().toISOString();
      const reminder: Reminder = {
        id: input.id,
        title: input.title ?? existing?.title ?? input.id,
        instructions: input.instructions,
        schedule: buildSchedule(input),
        delivery: input.delivery ?? { kind: "none" },
        audience,
        enabled: input.enabled ?? true,
        expiresAt: expiresAt(input),
        misfire: input.misfire ?? existing?.misfire ?? { policy: "skip" },
        disabledReason: null,
        createdAt: existing?.createdAt ?? stamp,
        updatedAt: stamp,
      };
      scheduler.save(reminder);
      return { reminder: view(reminder.id), created: existing === undefined };
    },

    list(caller: ReminderCaller): ReminderListResponse {
      const { entries, problems } = scheduler.list();
      return {
        reminders: entries
          .filter((entry) => audienceAtMost(entry.reminder.audience, caller.audience))
          .map((entry) => ({ ...entry.reminder, state: { ...entry.state, active: entry.active } })),
        // Broken files can hold any audience's text: only a Personal caller sees them.
        problems: caller.audience === "personal" ? problems : [],
      };
    },

    get(id: string, caller: ReminderCaller): ReminderView {
      visible(id, caller);
      return view(id);
    },

    setEnabled(id: string, options: { enabled: boolean; caller: ReminderCaller; reason?: string }) {
      const { reminder } = visible(id, options.caller);
      if (
        options.enabled &&
        reminder.schedule.type === "once" &&
        Date.parse(reminder.schedule.fireAt) <= clock.now()
      ) {
        throw badRequest(
          "invalid_schedule",
          `Reminder '${id}' was due at ${reminder.schedule.fireAt}, which has passed; set a new time with create/set_reminder.`,
        );
      }
      scheduler.save({
        ...reminder,
        enabled: options.enabled,
        disabledReason: options.enabled ? null : (options.reason ?? "disabled by user"),
        updatedAt: now().toISOString(),
      });
      return view(id);
    },

    remove(id: string, caller: ReminderCaller): void {
      visible(id, caller);
      scheduler.remove(id);
    },

    run(id: string, caller: ReminderCaller): { runId: string } {
      visible(id, caller);
      return scheduler.runNow(id);
    },

    history(id: string, options: { caller: ReminderCaller; last?: number }): RunRecord[] {
      visible(id, options.caller);
      return scheduler.history(id, options.last);
    },

    validate,

    /**
     * Imports reminder documents all-or-nothing: every one is checked (schema, audience, write
     * mode) before any is written. Each is scheduled from now.
     */
    import(documents: unknown[], options: { caller: ReminderCaller; writeMode: WriteMode }) {
      const checked = validate(documents);
      if (!checked.valid) {
        const problems = checked.results
          .filter((r) => !r.ok)
          .map((r) => `#${r.index} ${r.id ?? "?"}: ${r.problem}`);
        throw badRequest("invalid_reminders", `Nothing imported. ${problems.join("; ")}`);
      }
      const stamp = now().toISOString();
      const reminders = documents.map(
        (raw) => (checkReminderDocument(raw, now()) as { reminder: Reminder }).reminder,
      );
      const ids = new Set<string>();
      for (const reminder of reminders) {
        if (ids.has(reminder.id))
          throw badRequest("duplicate_id", `Nothing imported: id '${reminder.id}' appears twice.`);
        ids.add(reminder.id);
        checkAudience(reminder.audience, options.caller);
        guardWrite(reminder.id, options.writeMode, options.caller);
      }
      const results = reminders.map((reminder) => {
        const existing = scheduler.get(reminder.id)?.reminder;
        scheduler.save({
          ...reminder,
          createdAt: existing?.createdAt ?? reminder.createdAt,
          updatedAt: stamp,
        });
        return { id: reminder.id, created: existing === undefined };
      });
      return { imported: results };
    },
  };
}
