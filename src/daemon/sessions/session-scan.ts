import type { SessionEvent } from "../../protocol/events.ts";

/** What a session's stored events say about unfinished work, computed once at load. */
export type SessionScan = {
  /** User messages no turn has taken yet, in order (they join the next turn). */
  pendingMessageIds: string[];
  /** The turn that started but never completed — a crash or kill -9 interrupted it. */
  openTurn?: { turnNumber: number; danglingCalls: { callId: string; toolName: string }[] };
  /** The highest turn number seen. */
  lastTurnNumber: number;
};

export function scanEvents(events: Iterable<SessionEvent>): SessionScan {
  const taken = new Set<string>();
  const messages: string[] = [];
  let openTurn: { turnNumber: number; calls: Map<string, string> } | undefined;
  let lastTurnNumber = 0;
  for (const event of events) {
    switch (event.type) {
      case "user_message":
        messages.push(event.messageId);
        break;
      case "turn_started":
        for (const id of event.messageIds) taken.add(id);
        openTurn = { turnNumber: event.turnNumber, calls: new Map() };
        lastTurnNumber = Math.max(lastTurnNumber, event.turnNumber);
        break;
      case "tool_call":
        openTurn?.calls.set(event.callId, event.toolName);
        break;
      case "tool_result":
        openTurn?.calls.delete(event.callId);
        break;
      case "turn_completed":
        if (openTurn?.turnNumber === event.turnNumber) openTurn = undefined;
        break;
      default:
        break;
    }
  }
  const scan: SessionScan = {
    pendingMessageIds: messages.filter((id) => !taken.has(id)),
    lastTurnNumber,
  };
  if (openTurn) {
    scan.openTurn = {
      turnNumber: openTurn.turnNumber,
      danglingCalls: [...openTurn.calls].map(([callId, toolName]) => ({ callId, toolName })),
    };
  }
  return scan;
}
