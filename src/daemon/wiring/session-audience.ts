import type { Channel } from "../../protocol/sessions.ts";
import { audienceForChannel } from "../tools/policy/audience.ts";

export type SessionAudience = "Personal" | "Team" | "Public";

/** What the wiring knows about a session when its engine loads. */
export type SessionInfo = { sessionId: string; channel: Channel; name: string | null };

/**
 * A session's audience: a stored one when an override knows the session (a reminder run keeps
 * its reminder's audience), else the channel's (reference/security.md §4).
 */
export function createSessionAudience(
  overrides: ReadonlyArray<(session: SessionInfo) => SessionAudience | undefined>,
): (session: SessionInfo) => SessionAudience {
  return (session) => {
    for (const override of overrides) {
      const audience = override(session);
      if (audience) return audience;
    }
    return audienceForChannel(session.channel);
  };
}
