import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type {
  ReminderHistoryResponse,
  ReminderListResponse,
  ReminderResponse,
  ReminderView,
  RunRecord,
} from "../../protocol/reminders.ts";
import type { CliContext } from "../context.ts";
import { daemonCall } from "../daemon-call.ts";
import { formatCheck, print, printError, UsageError } from "../output.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

const path = (id: string, suffix = "") => `/api/reminders/${encodeURIComponent(id)}${suffix}`;

function scheduleText(reminder: ReminderView): string {
  const s = reminder.schedule;
  return s.type === "once" ? `once ${s.fireAt}` : s.type === "interval" ? s.every : `cron ${s.expression}`;
}

function runLine(run: RunRecord): string {
  const when = run.startedAt ?? run.finishedAt ?? run.dueAt;
  const count = run.missedCount && run.missedCount > 1 ? ` x${run.missedCount}` : "";
  return `${when}  ${run.status.padEnd(11)}${count}  ${run.sessionKey ?? "-"}${run.error ? `  ${run.error}` : ""}`;
}

function printReminder(reminder: ReminderView): void {
  print(`${reminder.id}: ${reminder.title}`);
  print(`  schedule:   ${scheduleText(reminder)}`);
  print(
    `  enabled:    ${reminder.enabled ? "yes" : `no${reminder.disabledReason ? ` (${reminder.disabledReason})` : ""}`}`,
  );
  print(`  next run:   ${reminder.state.nextRunAt ?? "-"}${reminder.state.active ? " (running now)" : ""}`);
  print(`  last run:   ${reminder.state.lastRunAt ?? "-"} ${reminder.state.lastStatus ?? ""}`.trimEnd());
  print(`  failures:   ${reminder.state.consecutiveFailures} in a row`);
  print(`  audience:   ${reminder.audience}`);
  print(
    `  delivery:   ${reminder.delivery.kind}${reminder.delivery.kind === "current_session" ? ` ${reminder.delivery.sessionId}` : ""}`,
  );
  print(
    `  misfire:    ${reminder.misfire.policy}${reminder.misfire.policy === "catch-up" ? ` within ${reminder.misfire.graceSeconds} s` : ""}`,
  );
  if (reminder.expiresAt) print(`  expires:    ${reminder.expiresAt}`);
  print(`  prompt:     ${reminder.instructions}`);
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export type CreateOptions = {
  name?: string;
  delivery?: string;
  session?: string;
  audience?: string;
  expiresIn?: string;
  misfire?: string;
  grace?: string;
  disabled?: boolean;
};

/** `reminder create <id> <once|interval|cron> <schedule> <prompt>`: upserts through the API. */
export async function reminderCreate(
  context: CliContext,
  args: { id: string; type: string; schedule: string; prompt: string; options: CreateOptions },
): Promise<number> {
  const { options } = args;
  const delivery = options.delivery ?? (options.session ? "current_session" : "none");
  if (delivery !== "none" && delivery !== "current_session")
    throw new UsageError(
      `--delivery takes none or current_session (with --session <id>), not '${options.delivery}'.`,
    );
  if (delivery === "current_session" && !options.session)
    throw new UsageError("--delivery current_session needs --session <session id> (see `netclaw sessions`).");
  if (delivery === "none" && options.session)
    throw new UsageError("--session goes with --delivery current_session.");
  const grace = options.grace === undefined ? 60 : Number(options.grace);
  if (!Number.isInteger(grace) || grace < 1)
    throw new UsageError("--grace takes whole minutes, e.g. --grace 30.");
  const body = {
    id: args.id,
    title: options.name,
    instructions: args.prompt,
    scheduleType: args.type,
    schedule: args.schedule,
    audience: options.audience,
    ...(delivery === "current_session"
      ? { delivery: { kind: "current_session", sessionId: options.session } }
      : {}),
    expiresIn: options.expiresIn,
    enabled: options.disabled ? false : undefined,
    misfire: options.misfire === "catch-up" ? { policy: "catch-up", graceSeconds: grace * 60 } : undefined,
  };
  return daemonCall(context, "reminder", async () => {
    // The runs go into that conversation: it must exist (a 404 names it).
    if (options.session) await context.client().get(`/api/sessions/${encodeURIComponent(options.session)}`);
    const result = await context.client().post<ReminderResponse>("/api/reminders", body);
    print(
      `${result.created ? "Created" : "Updated"} reminder ${result.reminder.id}; next run ${result.reminder.state.nextRunAt ?? "-"}.`,
    );
    return 0;
  });
}

export async function reminderList(context: CliContext, options: { json?: boolean }): Promise<number> {
  return daemonCall(context, "reminder", async () => {
    const result = await context.client().get<ReminderListResponse>("/api/reminders");
    if (options.json) print(JSON.stringify(result));
    else if (result.reminders.length === 0)
      print("No reminders. Create one: netclaw reminder create <id> interval 'every 6h' \"<prompt>\"");
    else {
      for (const r of result.reminders) {
        const state = r.enabled ? `next ${r.state.nextRunAt ?? "-"}` : "disabled";
        print(`${r.id.padEnd(24)} ${scheduleText(r).padEnd(36)} ${state}  last ${r.state.lastStatus ?? "-"}`);
      }
    }
    for (const problem of options.json ? [] : result.problems) {
      printError(`warning: skipped ${problem.file}: ${problem.problem}`);
    }
    return 0;
  });
}

export async function reminderShow(
  context: CliContext,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  return daemonCall(context, "reminder", async () => {
    const { reminder } = await context.client().get<ReminderResponse>(path(id));
    if (options.json) print(JSON.stringify(reminder));
    else printReminder(reminder);
    return 0;
  });
}

export async function reminderHistory(
  context: CliContext,
  id: string,
  options: { last?: string; json?: boolean },
): Promise<number> {
  return daemonCall(context, "reminder", async () => {
    const last = options.last ?? "20";
    const result = await context
      .client()
      .get<ReminderHistoryResponse>(path(id, `/history?last=${encodeURIComponent(last)}`));
    if (options.json) print(JSON.stringify(result));
    else if (result.runs.length === 0) print(`Reminder ${id} has not run yet.`);
    else for (const run of result.runs) print(runLine(run));
    return 0;
  });
}

/** `enable`, `disable`, `cancel` (disable, recorded as cancelled) and `run`. */
export async function reminderAction(
  context: CliContext,
  id: string,
  action: "enable" | "disable" | "cancel" | "run",
): Promise<number> {
  return daemonCall(context, "reminder", async () => {
    if (action === "run") {
      const { runId } = await context.client().post<{ runId: string }>(path(id, "/run"));
      print(`Started run ${runId}. Follow it with: netclaw reminder history ${id}`);
      return 0;
    }
    const { reminder } = await context.client().post<ReminderResponse>(path(id, `/${action}`));
    const verb = action === "enable" ? "Enabled" : action === "disable" ? "Disabled" : "Cancelled";
    print(
      `${verb} reminder ${reminder.id}${reminder.enabled ? `; next run ${reminder.state.nextRunAt ?? "-"}` : ""}.`,
    );
    return 0;
  });
}

export async function reminderDelete(context: CliContext, id: string): Promise<number> {
  return daemonCall(context, "reminder", async () => {
    const response = await context.client().request("DELETE", path(id));
    if (response.status === 204) {
      print(`Deleted reminder ${id} and its history.`);
      return 0;
    }
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    printError(`error: ${body?.error?.message ?? `HTTP ${response.status}`}`);
    return 1;
  });
}

/** `reminder validate <file>`: offline, with the daemon's own rules. Exit 0 valid, 1 not. */
export async function reminderValidate(file: string): Promise<number> {
  const { checkReminderDocument, reminderDocuments } = await import("../../protocol/reminders.ts");
  const documents = reminderDocuments(readJsonFile(file));
  let failures = 0;
  documents.forEach((raw, index) => {
    const result = checkReminderDocument(raw, new Date());
    const name = result.ok ? result.reminder.id : (result.id ?? `#${index + 1}`);
    if (!result.ok) failures++;
    print(
      formatCheck({
        name,
        severity: result.ok ? "pass" : "fail",
        message: result.ok ? "valid" : result.problem,
      }),
    );
  });
  print(
    failures === 0
      ? `${file}: ${documents.length} valid`
      : `${file}: ${failures} of ${documents.length} invalid`,
  );
  return failures === 0 ? 0 : 1;
}

export async function reminderImport(
  context: CliContext,
  file: string,
  options: { upsert?: boolean; replace?: boolean },
): Promise<number> {
  if (options.upsert && options.replace) throw new UsageError("Use either --upsert or --replace, not both.");
  const { reminderDocuments } = await import("../../protocol/reminders.ts");
  const reminders = reminderDocuments(readJsonFile(file));
  const writeMode = options.upsert ? "upsert" : options.replace ? "replace" : "create";
  return daemonCall(context, "reminder", async () => {
    const result = await context
      .client()
      .post<{ imported: Array<{ id: string; created: boolean }> }>("/api/reminders/import", {
        reminders,
        writeMode,
      });
    for (const item of result.imported) print(`${item.created ? "Created" : "Updated"} ${item.id}`);
    return 0;
  });
}

/** Adds `netclaw reminder …` to the program (main.ts: `registerReminderCommand(program, run)`). */
export function registerReminderCommand(program: Command, run: Run): void {
  const reminder = program.command("reminder").description("scheduled prompts the daemon runs on its own");
  reminder
    .command("list")
    .description("all reminders with their next run")
    .option("--json", "print JSON")
    .action((o: { json?: boolean }) => run((c) => reminderList(c, o)));
  reminder
    .command("create <id> <type> <schedule> <prompt>")
    .description(
      "create or update: type once ('30m', ISO time) | interval ('every 6h') | cron ('[CRON_TZ=Zone ]m h dom mon dow', UTC)",
    )
    .option("--name <title>", "short title")
    .option("--delivery <kind>", "none (default: a fresh session per run) or current_session")
    .option("--session <id>", "with current_session: the conversation the runs go into")
    .option("--audience <audience>", "personal, team or public (default: personal)")
    .option("--expires-in <duration>", "recurring only: stop after e.g. 30d")
    .option(
      "--misfire <policy>",
      "skip (default) or catch-up: what to do with a run missed while the daemon was down",
    )
    .option("--grace <minutes>", "catch-up window in minutes (default 60)")
    .option("--disabled", "create it disabled")
    .action((id: string, type: string, schedule: string, prompt: string, options: CreateOptions) =>
      run((c) => reminderCreate(c, { id, type, schedule, prompt, options })),
    );
  reminder
    .command("show <id>")
    .description("one reminder and its state")
    .option("--json", "print JSON")
    .action((id: string, o: { json?: boolean }) => run((c) => reminderShow(c, id, o)));
  reminder
    .command("history <id>")
    .description("its latest runs")
    .option("--last <n>", "how many (default 20, at most 500)")
    .option("--json", "print JSON")
    .action((id: string, o: { last?: string; json?: boolean }) => run((c) => reminderHistory(c, id, o)));
  for (const action of ["enable", "disable", "cancel", "run"] as const) {
    const description = {
      enable: "turn it back on (scheduled from now)",
      disable: "stop it firing",
      cancel: "stop it firing, recorded as cancelled (history kept)",
      run: "run it now",
    }[action];
    reminder
      .command(`${action} <id>`)
      .description(description)
      .action((id: string) => run((c) => reminderAction(c, id, action)));
  }
  reminder
    .command("delete <id>")
    .description("remove it and its history")
    .action((id: string) => run((c) => reminderDelete(c, id)));
  reminder
    .command("validate <file>")
    .description("check a reminder file (one, an array, or {reminders:[…]}) without the daemon")
    .action((file: string) => run(() => reminderValidate(file)));
  reminder
    .command("import <file>")
    .description("import reminder files; existing ids are refused unless --upsert or --replace")
    .option("--upsert", "create or update")
    .option("--replace", "only update existing ones")
    .action((file: string, o: { upsert?: boolean; replace?: boolean }) =>
      run((c) => reminderImport(c, file, o)),
    );
  reminder.action(() => {
    throw new UsageError("netclaw reminder: missing subcommand. See 'netclaw reminder --help'.");
  });
}
