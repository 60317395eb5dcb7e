import type { SessionEvent } from "../../protocol/events.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the session log gives it its id, session id and timestamp. */
export type EventDraft = DistributiveOmit<SessionEvent, "id" | "sessionId" | "at">;
