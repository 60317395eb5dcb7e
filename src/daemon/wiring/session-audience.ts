import type { Channel } from "../../protocol/sessions.ts";
import { reminderOfRequester } from "../sessions/requester.ts";
import { audienceForChannel, isUnattendedChannel } from "../tools/policy/audience.ts";

export type SessionAudience = "Personal" | "Team" | "Public";

/** What the wiring knows about a session when its engine loads. */
export type SessionInfo = { sessionId: string; channel: Channel; name: string | null };

/** A session and who its current turn acts for (`local`, `device:<name>`, `reminder:<id>`). */
export type TurnInfo = SessionInfo & { requester?: string | undefined };

const RANK: Record<SessionAudience, number> = { Public: 0, Team: 1, Personal: 2 };

/** The lesser of two audiences (Public ⊆ Team ⊆ Personal). */
export const lesserAudience = (a: SessionAudience, b: SessionAudience): SessionAudience =>
  RANK[a] <= RANK[b] ? a : b;

/**
 * Whether nobody can answer an approval prompt in this turn: an unattended channel (headless,
 * reminder, webhook), or a reminder's message fired into an existing session.
 */
export function isUnattendedTurn(turn: TurnInfo): boolean {
  return isUnattendedChannel(turn.channel) || reminderOfRequester(turn.requester) !== undefined;
}

/**
 * The audience of a turn: the session's (a stored one when an override knows the session — a
 * `schedule/<id>/…` run keeps its reminder's — else the channel's, reference/security.md §4),
 * lowered to the reminder's stored audience when a reminder's message drives the turn.
 * `reminderAudience` answers for a reminder id (the least, Public, when it is gone).
 */
export function createSessionAudience(options: {
  sessionOverrides: ReadonlyArray<(session: SessionInfo) => SessionAudience | undefined>;
  reminderAudience?: (reminderId: string) => SessionAudience;
}): (turn: TurnInfo) => SessionAudience {
  return (turn) => {
    let audience: SessionAudience | undefined;
    for (const override of options.sessionOverrides) {
      audience = override(turn);
      if (audience) break;
    }
    audience ??= audienceForChannel(turn.channel);
    const reminder = reminderOfRequester(turn.requester);
    if (reminder === undefined) return audience;
    return lesserAudience(audience, options.reminderAudience?.(reminder) ?? "Public");
  };
}
