import type { SessionEvent } from "../../protocol/events.ts";
import type { Channel, SessionSummary } from "../../protocol/sessions.ts";
import { DaemonResponseError, DaemonUnreachableError, WrongDaemonError } from "../client.ts";
import type { CliContext } from "../context.ts";
import { unreachableFix, wrongDaemonFix } from "../context.ts";
import type { SessionApi } from "../session-api.ts";
import { EventStreamError } from "../sse-client.ts";

export type OpenedSession = {
  session: SessionSummary;
  created: boolean;
  /** The newest stored event (0 for a new session): the event stream resumes after it. */
  lastEventId: number;
  /** With `history`, the last few user messages and answers, oldest first. */
  recent: SessionEvent[];
};

/**
 * The session `--resume <id|name>` means: an existing session with that id, else the session of
 * that name (created when missing). Without a reference, a new session. With `history` it reads
 * the whole stored transcript, page by page, to find where the stream continues.
 */
export async function openSession(
  api: SessionApi,
  options: { resume?: string; channel: Channel; history?: boolean },
): Promise<OpenedSession> {
  let session: SessionSummary;
  if (options.resume) {
    const existing = await api.transcript(options.resume, { limit: 1 });
    if (existing) session = existing.session;
    else {
      const opened = await api.open({ name: options.resume, channel: options.channel });
      if (opened.created) return { ...opened, lastEventId: 0, recent: [] };
      session = opened.session;
    }
  } else {
    const opened = await api.open({ channel: options.channel });
    return { ...opened, lastEventId: 0, recent: [] };
  }
  if (!options.history) return { session, created: false, lastEventId: 0, recent: [] };
  let after = 0;
  let recent: SessionEvent[] = [];
  for (;;) {
    const page = await api.transcript(session.sessionId, { after });
    const events = page?.events ?? [];
    if (events.length === 0) break;
    after = events.at(-1)!.id;
    recent = [...recent, ...events.filter((e) => e.type === "user_message" || e.type === "text")].slice(
      -RECENT,
    );
  }
  return { session, created: false, lastEventId: after, recent };
}

const RECENT = 20;

/** A one-line explanation of a failed daemon call, with the fix where there is one. */
export function describeFailure(context: CliContext, error: unknown): string {
  if (error instanceof DaemonUnreachableError) {
    return `unable to reach daemon at ${error.url}: ${error.message} — fix: ${unreachableFix(context)}`;
  }
  if (error instanceof WrongDaemonError)
    return `${error.message} — fix: ${wrongDaemonFix(context, error.url)}`;
  if (error instanceof DaemonResponseError || error instanceof EventStreamError) {
    if (error.status === 401 || error.status === 403) {
      return `the daemon refused this device (HTTP ${error.status}): pair again with \`netclaw pair <endpoint>\``;
    }
    return error.message;
  }
  const remediation = (error as { remediation?: unknown }).remediation; // a ConfigError
  const message = (error as Error).message ?? String(error);
  return typeof remediation === "string" ? `${message} — fix: ${remediation}` : message;
}
