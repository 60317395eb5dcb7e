import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../config/atomic-write.ts";
import {
  describeIssues,
  type Reminder,
  type ReminderProblem,
  type ReminderState,
  type RunRecord,
  reminderSchema,
  reminderStateSchema,
  runRecordSchema,
} from "../../protocol/reminders.ts";

/** Runs kept per reminder in `<id>.history.jsonl`. */
export const HISTORY_LIMIT = 500;

export type ReminderStore = ReturnType<typeof createReminderStore>;

export type ReadResult = { reminder: Reminder } | { problem: ReminderProblem } | { missing: true };

/**
 * The reminder files under `schedules/reminders/`: `<urlencoded-id>.json` (the definition,
 * written by people, tools and the API), `<id>.state.json` (next run, failures) and
 * `<id>.history.jsonl` (last 500 runs). Every write is atomic. A file that does not parse is
 * reported and left exactly as it is: the store never deletes what it cannot read, except on an
 * explicit `remove`.
 */
export function createReminderStore(options: { dir: string }) {
  const dir = options.dir;
  const fileOf = (id: string, suffix = ".json") => join(dir, `${encodeURIComponent(id)}${suffix}`);
  const ensureDir = () => mkdirSync(dir, { recursive: true });

  function parseFile(file: string, expectedId: string | undefined): ReadResult {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      const problem = (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : error;
      if (!problem) return { missing: true };
      return { problem: { file, problem: `not valid JSON: ${(problem as Error).message}` } };
    }
    const parsed = reminderSchema.safeParse(raw);
    if (!parsed.success) return { problem: { file, problem: describeIssues(parsed.error) } };
    if (expectedId !== undefined && parsed.data.id !== expectedId) {
      return {
        problem: {
          file,
          problem: `id '${parsed.data.id}' does not match the file name; rename the file to ${encodeURIComponent(parsed.data.id)}.json or fix the id`,
        },
      };
    }
    return { reminder: parsed.data };
  }

  return {
    dir,
    fileOf,

    /** Every readable reminder (sorted by id) and every file that could not be used. */
    load(): { reminders: Reminder[]; problems: ReminderProblem[] } {
      const reminders: Reminder[] = [];
      const problems: ReminderProblem[] = [];
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      for (const name of names.sort()) {
        if (name.startsWith(".") || !name.endsWith(".json") || name.endsWith(".state.json")) continue;
        let id: string;
        try {
          id = decodeURIComponent(name.slice(0, -".json".length));
        } catch {
          problems.push({ file: join(dir, name), problem: "file name is not a URL-encoded reminder id" });
          continue;
        }
        const result = parseFile(join(dir, name), id);
        if ("reminder" in result) reminders.push(result.reminder);
        else if ("problem" in result) problems.push(result.problem);
      }
      return { reminders, problems };
    },

    read(id: string): ReadResult {
      return parseFile(fileOf(id), id);
    },

    save(reminder: Reminder): void {
      ensureDir();
      writeJsonAtomic(fileOf(reminder.id), reminderSchema.parse(reminder));
    },

    /** Deletes the definition, state and history of `id`; false when there was no definition. */
    remove(id: string): boolean {
      const existed = existsSync(fileOf(id));
      for (const suffix of [".json", ".state.json", ".history.jsonl"])
        rmSync(fileOf(id, suffix), { force: true });
      return existed;
    },

    /** The persisted state; a missing or unreadable state file reads as a fresh state. */
    readState(id: string): ReminderState {
      try {
        const parsed = reminderStateSchema.safeParse(
          JSON.parse(readFileSync(fileOf(id, ".state.json"), "utf8")),
        );
        if (parsed.success) return parsed.data;
      } catch {
        // missing or torn by hand: start fresh
      }
      return reminderStateSchema.parse({});
    },

    writeState(id: string, state: ReminderState): void {
      ensureDir();
      writeJsonAtomic(fileOf(id, ".state.json"), state);
    },

    /** Appends a run; keeps the newest HISTORY_LIMIT. Unreadable lines are dropped on rewrite. */
    appendHistory(record: RunRecord): void {
      ensureDir();
      const kept = [...readHistoryLines(fileOf(record.reminderId, ".history.jsonl")), record].slice(
        -HISTORY_LIMIT,
      );
      writeFileAtomic(
        fileOf(record.reminderId, ".history.jsonl"),
        kept.map((entry) => `${JSON.stringify(entry)}\n`).join(""),
      );
    },

    /** Oldest first; `last` limits to the newest N. */
    readHistory(id: string, last?: number): RunRecord[] {
      const runs = readHistoryLines(fileOf(id, ".history.jsonl"));
      if (last === undefined) return runs;
      return last > 0 ? runs.slice(-last) : [];
    },
  };
}

function readHistoryLines(file: string): RunRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const runs: RunRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = runRecordSchema.safeParse(JSON.parse(line));
      if (parsed.success) runs.push(parsed.data);
    } catch {
      // a torn line from a crash: skip it
    }
  }
  return runs;
}
