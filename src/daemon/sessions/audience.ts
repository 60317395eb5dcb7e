import type { Channel } from "../../protocol/sessions.ts";
import { audienceForChannel, isUnattendedChannel } from "../tools/policy/audience.ts";
import { reminderOfRequester } from "./requester.ts";

export type SessionAudience = "Personal" | "Team" | "Public";

/** What the daemon knows about a session when its engine loads. */
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

/** What the session's owners answer: a stored audience of the session, or of a non-human requester. */
export type AudienceSources = {
  /** Each answers for the sessions it owns (undefined = not mine); the session gets the least of them. */
  sessions: ReadonlyArray<(session: SessionInfo) => SessionAudience | undefined>;
  /** Each answers for the requesters it owns (`reminder:<id>`); undefined = not mine. */
  requesters: ReadonlyArray<(requester: string) => SessionAudience | undefined>;
};

/** The least of the defined answers; undefined when there is none. */
function leastOf(answers: ReadonlyArray<SessionAudience | undefined>): SessionAudience | undefined {
  let least: SessionAudience | undefined;
  for (const answer of answers) if (answer) least = least ? lesserAudience(least, answer) : answer;
  return least;
}

/**
 * The audience of a turn: the session's (the least stored one its owners answer — a
 * `schedule/<id>/…` run keeps its reminder's — else the channel's, reference/security.md §4),
 * lowered to the stored audience of a reminder whose message drives the turn (Public, the least,
 * when nobody answers for it: the reminder is gone).
 */
export function createSessionAudience(sources: () => AudienceSources): (turn: TurnInfo) => SessionAudience {
  return (turn) => {
    const { sessions, requesters } = sources();
    const audience = leastOf(sessions.map((answer) => answer(turn))) ?? audienceForChannel(turn.channel);
    const requester = turn.requester;
    if (requester === undefined || reminderOfRequester(requester) === undefined) return audience;
    return lesserAudience(audience, leastOf(requesters.map((answer) => answer(requester))) ?? "Public");
  };
}
