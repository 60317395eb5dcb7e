import type { SessionEvent } from "../../protocol/events.ts";
import type { Channel, SessionSummary } from "../../protocol/sessions.ts";
import { DaemonResponseError, DaemonUnreachableError } from "../client.ts";
import type { CliContext } from "../context.ts";
import { unreachableFix } from "../context.ts";
import type { SessionApi } from "../session-api.ts";
import { EventStreamError } from "../sse-client.ts";
import { sanitize } from "./render.ts";

export type OpenedSession = {
  session: SessionSummary;
  created: boolean;
  /** The newest stored event (0 for a new session): the event stream resumes after it. */
  lastEventId: number;
  /** With `history`, the last few user messages and answers, oldest first. */
  recent: SessionEvent[];
};

/**
 * The session `--resume <ref>` means, in this order: the session with that id; the session with
 * that name; the one session whose id starts with `ref` (several → SessionRefError listing them);
 * else a new session named `ref`. A name beats an id prefix so a session named earlier stays
 * reachable by its name. Without a reference, a new session. With `history` it reads the whole
 * stored transcript, page by page, to find where the stream continues.
 */
export async function openSession(
  api: SessionApi,
  options: { resume?: string; channel: Channel; history?: boolean },
): Promise<OpenedSession> {
  let session: SessionSummary;
  if (options.resume !== undefined) {
    const ref = options.resume.trim();
    if (ref === "") throw new SessionRefError("--resume needs a session id, id prefix or name");
    const existing = resolveRef(ref, await api.find(ref));
    if (existing) session = existing;
    else {
      const opened = await api.open({ name: ref, channel: options.channel });
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
const LISTED_CANDIDATES = 10;

/** A `--resume` reference that names no one session (empty, or an ambiguous id prefix): exit 2. */
export class SessionRefError extends Error {
  readonly code: string;
  constructor(message: string, code = "invalid_session_ref") {
    super(message);
    this.code = code;
  }
}

/**
 * Picks the session `ref` means from the daemon's matches (exact id, exact name, id prefixes);
 * undefined when none does. Throws SessionRefError for a prefix of several ids.
 */
export function resolveRef(ref: string, matches: readonly SessionSummary[]): SessionSummary | undefined {
  const exact = matches.find((s) => s.sessionId === ref) ?? matches.find((s) => s.name === ref);
  if (exact) return exact;
  const prefix = ref.toLowerCase();
  const prefixed = matches.filter((s) => s.sessionId.startsWith(prefix));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length === 0) return undefined;
  const listed = prefixed.slice(0, LISTED_CANDIDATES).map((s) => `  ${formatCandidate(s)}`);
  const more = prefixed.length > LISTED_CANDIDATES ? ["  …"] : [];
  throw new SessionRefError(
    [
      `'${ref}' is the start of several session ids; give more of the id (see \`netclaw sessions\`):`,
      ...listed,
      ...more,
    ].join("\n"),
    "session_ambiguous",
  );
}

function formatCandidate(session: SessionSummary): string {
  const label = [session.name, session.title].filter((v) => v).map((v) => sanitize(v!));
  return label.length > 0 ? `${session.sessionId}  ${label.join(" — ")}` : session.sessionId;
}

/** A one-line explanation of a failed daemon call, with the fix where there is one. */
export function describeFailure(context: CliContext, error: unknown): string {
  if (error instanceof DaemonUnreachableError) {
    return `unable to reach daemon at ${error.url}: ${error.message} — fix: ${unreachableFix(context)}`;
  }
  if (error instanceof DaemonResponseError || error instanceof EventStreamError) {
    if (error.status === 401 || error.status === 403) {
      return `the daemon refused this device (HTTP ${error.status}): pair again with \`netclaw pair <endpoint>\``;
    }
    return error.message;
  }
  return (error as Error).message ?? String(error);
}
