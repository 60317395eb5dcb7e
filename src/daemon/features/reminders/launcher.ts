import type { SessionEvent } from "../../../protocol/events.ts";
import type { Channel } from "../../../protocol/sessions.ts";
import type { ReminderRun, RunLauncher, RunOutcome } from "../../scheduler/types.ts";
import { reminderRequester } from "../../sessions/requester.ts";

/** The part of a session engine a reminder run drives. */
export type LaunchEngine = {
  send(options: { text: string; idempotencyKey?: string; requester?: string }): {
    messageId: string;
    eventId: number;
  };
  cancel(): boolean;
  idle(): Promise<void>;
  transcript(options: { after: number; limit: number }): SessionEvent[];
};

/** The part of the session registry a reminder run needs. */
export type LaunchSessions = {
  create(request: { name: string; channel: Channel }): { session: { sessionId: string } };
  get(id: string): LaunchEngine | undefined;
};

const TRANSCRIPT_LIMIT = 100_000;

/**
 * Runs reminders through the session engine: a fresh session named `schedule/<id>/<runTs>` on
 * the `reminder` channel (Mode A), or the origin session (Mode B, `current_session`). The
 * message is sent with the run id as its idempotency key, so a run retried after a restart does
 * not store its prompt twice. The run's signal (run timeout, shutdown) cancels the turn. Settles
 * with the turn's outcome: ok only when the turn that took the message completed.
 */
export function createReminderLauncher(options: { sessions: LaunchSessions }): RunLauncher {
  return async (run: ReminderRun): Promise<RunOutcome> => {
    const { sessions } = options;
    const sessionId = run.freshSession
      ? sessions.create({ name: run.sessionKey, channel: "reminder" }).session.sessionId
      : run.sessionKey;
    const engine = sessions.get(sessionId);
    if (!engine) return { ok: false, error: `the origin session ${sessionId} no longer exists` };
    if (run.signal.aborted) return { ok: false, error: "cancelled before it started" };
    // The requester makes the turn the reminder's: unattended, and never above its stored
    // audience, even in an origin session whose own channel would allow more.
    const sent = engine.send({
      text: run.prompt,
      idempotencyKey: `reminder:${run.runId}`,
      requester: reminderRequester(run.reminderId),
    });
    const onAbort = () => engine.cancel();
    run.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await engine.idle();
    } finally {
      run.signal.removeEventListener("abort", onAbort);
    }
    return turnOutcome({
      events: engine.transcript({ after: sent.eventId - 1, limit: TRANSCRIPT_LIMIT }),
      messageId: sent.messageId,
    });
  };
}

/** The outcome of the turn that took `messageId`: its status, and the last error it reported. */
export function turnOutcome(options: { events: SessionEvent[]; messageId: string }): RunOutcome {
  let turnNumber: number | undefined;
  let lastError: string | undefined;
  for (const event of options.events) {
    if (event.type === "turn_started" && event.messageIds.includes(options.messageId))
      turnNumber = event.turnNumber;
    else if (turnNumber !== undefined && event.type === "error") lastError = event.errorMessage;
    else if (turnNumber !== undefined && event.type === "turn_completed" && event.turnNumber === turnNumber) {
      if (event.status === "completed") return { ok: true };
      return { ok: false, error: lastError ?? `the turn ended ${event.status}` };
    }
  }
  return { ok: false, error: "the run's turn did not finish" };
}
