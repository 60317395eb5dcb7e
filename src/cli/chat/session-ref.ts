import type { Channel, SessionSummary } from "../../protocol/sessions.ts";
import { DaemonResponseError, DaemonUnreachableError } from "../client.ts";
import type { CliContext } from "../context.ts";
import { unreachableFix } from "../context.ts";
import type { SessionApi } from "../session-api.ts";
import { EventStreamError } from "../sse-client.ts";

/**
 * The session `--resume <id|name>` means: an existing session with that id, else the session of
 * that name (created when missing). Without a reference, a new session.
 */
export async function openSession(
  api: SessionApi,
  options: { resume?: string; channel: Channel },
): Promise<{ session: SessionSummary; created: boolean; lastEventId: number | undefined }> {
  if (options.resume) {
    const existing = await api.transcript(options.resume);
    if (existing) {
      return { session: existing.session, created: false, lastEventId: existing.events.at(-1)?.id };
    }
    const opened = await api.open({ name: options.resume, channel: options.channel });
    if (opened.created) return { ...opened, lastEventId: undefined };
    const transcript = await api.transcript(opened.session.sessionId);
    return { ...opened, lastEventId: transcript?.events.at(-1)?.id };
  }
  const opened = await api.open({ channel: options.channel });
  return { ...opened, lastEventId: undefined };
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
