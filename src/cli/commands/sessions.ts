import type { SessionSummary } from "../../protocol/sessions.ts";
import { oneLine, sanitize } from "../chat/render.ts";
import { describeFailure } from "../chat/session-ref.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";
import { createSessionApi } from "../session-api.ts";

/** `netclaw sessions [--json]`: one line per session, newest activity first. Exit 1 when unreachable. */
export async function sessionsCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  let sessions: SessionSummary[];
  try {
    sessions = await createSessionApi(context.client()).list();
  } catch (error) {
    printError(`[FAIL] sessions: ${describeFailure(context, error)}`);
    return 1;
  }
  if (options.json) {
    print(JSON.stringify(sessions, null, 2));
    return 0;
  }
  if (sessions.length === 0) {
    print("No sessions found.");
    return 0;
  }
  for (const session of sessions) print(formatSessionLine(session));
  return 0;
}

/**
 * `<id>  <title|(untitled)>  [<status>]  turns=<n>  last=<yyyy-MM-dd HH:mm>` (local time;
 * reference/core.md §1), then `  name=<name>` for a named session — the handle `--resume` takes.
 * Titles come from a model and names from any client: control characters are removed.
 */
export function formatSessionLine(session: SessionSummary): string {
  const title = session.title ? oneLine(sanitize(session.title)) : "(untitled)";
  const line = `${session.sessionId}  ${title}  [${session.status}]  turns=${session.turnCount}  last=${formatLocal(session.lastActivity)}`;
  if (session.name === null) return line;
  const name = oneLine(sanitize(session.name));
  // quoted when it has spaces or quotes, so the line still splits into fields
  return `${line}  name=${/[\s"]/.test(name) ? JSON.stringify(name) : name}`;
}

function formatLocal(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
