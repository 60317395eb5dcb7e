import type { SessionEvent } from "../../protocol/events.ts";
import type { ChatMessage, ToolCallRequest } from "../llm/model-client.ts";

/** A message of the model-facing history and the id of the event that created it. */
export type HistoryEntry = { eventId: number; message: ChatMessage; responseId?: string };

export const CLEARED_TOOL_RESULT = "[tool result cleared to save context]";
export const SUMMARY_HEADER = "[observations from earlier in this session]";

/**
 * The conversation as the model sees it, rebuilt from stored events and kept up to date as new
 * ones are appended — one code path for a live session and one reloaded after a restart, so both
 * send the model the same history.
 */
export function createHistory() {
  const entries: HistoryEntry[] = [];
  // A message sent while a turn runs joins the history where the turn that takes it starts, not
  // where it arrived (that would put it before the reply it did not see).
  const waiting = new Map<string, { eventId: number; text: string }>();

  const assistantFor = (event: { id: number; responseId: string }) => {
    for (let i = entries.length - 1; i >= 0 && i >= entries.length - 64; i--) {
      const entry = entries[i]!;
      if (entry.responseId === event.responseId && entry.message.role === "assistant") return entry.message;
    }
    const message: Extract<ChatMessage, { role: "assistant" }> = { role: "assistant", content: "" };
    entries.push({ eventId: event.id, message, responseId: event.responseId });
    return message;
  };

  const compact = (event: Extract<SessionEvent, { type: "compaction" }>) => {
    if (event.toolResultsClearedBeforeEventId !== undefined) {
      for (const entry of entries) {
        if (entry.message.role === "tool" && entry.eventId < event.toolResultsClearedBeforeEventId)
          entry.message.content = CLEARED_TOOL_RESULT;
      }
    }
    if (event.keptFromEventId !== undefined) {
      let index = entries.findIndex((entry) => entry.eventId === event.keptFromEventId);
      if (index < 0) index = entries.findIndex((entry) => entry.eventId >= event.keptFromEventId!);
      if (index > 0) entries.splice(0, index);
      if (event.summary) {
        entries.unshift({
          eventId: event.id,
          message: { role: "user", content: `${SUMMARY_HEADER}\n${event.summary}` },
        });
      }
    }
  };

  return {
    apply(event: SessionEvent): void {
      switch (event.type) {
        case "user_message":
          waiting.set(event.messageId, { eventId: event.id, text: event.text });
          return;
        case "turn_started":
          for (const messageId of event.messageIds) {
            const message = waiting.get(messageId);
            if (!message) continue;
            waiting.delete(messageId);
            entries.push({ eventId: message.eventId, message: { role: "user", content: message.text } });
          }
          return;
        case "text":
          assistantFor(event).content = event.text;
          return;
        case "tool_call": {
          const message = assistantFor(event);
          const call: ToolCallRequest = {
            id: event.callId,
            name: event.toolName,
            arguments: parseArguments(event.argumentsJson),
          };
          message.toolCalls = [...(message.toolCalls ?? []), call];
          return;
        }
        case "tool_result":
          entries.push({
            eventId: event.id,
            message: {
              role: "tool",
              toolCallId: event.callId,
              toolName: event.toolName,
              content: event.result,
              isError: event.isError,
            },
          });
          return;
        case "compaction":
          compact(event);
          return;
        default:
          return;
      }
    },

    entries(): readonly HistoryEntry[] {
      return entries;
    },

    /** The text of a stored message no turn has taken yet; undefined once a turn took it. */
    waitingText(messageId: string): string | undefined {
      return waiting.get(messageId)?.text;
    },

    /** The history ready for a model request (see `toModelMessages`). */
    messages(): ChatMessage[] {
      return toModelMessages(entries);
    },
  };
}

export type History = ReturnType<typeof createHistory>;

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/**
 * Vendors reject a tool call without its result (and the reverse), and some reject two user
 * messages in a row. So: calls whose result was never stored (a crash, a failed stream) are left
 * out, orphan results too, empty assistant messages are skipped, and consecutive user messages —
 * the queued messages of one turn — are merged in order.
 */
export function toModelMessages(entries: readonly HistoryEntry[]): ChatMessage[] {
  const resultIds = new Set<string>();
  const callIds = new Set<string>();
  for (const { message } of entries) {
    if (message.role === "tool") resultIds.add(message.toolCallId);
    if (message.role === "assistant") for (const call of message.toolCalls ?? []) callIds.add(call.id);
  }
  const out: ChatMessage[] = [];
  for (const { message } of entries) {
    if (message.role === "tool") {
      if (callIds.has(message.toolCallId)) out.push({ ...message });
      continue;
    }
    if (message.role === "assistant") {
      const toolCalls = (message.toolCalls ?? []).filter((call) => resultIds.has(call.id));
      if (!message.content && toolCalls.length === 0) continue;
      out.push(
        toolCalls.length > 0
          ? { role: "assistant", content: message.content, toolCalls }
          : { role: "assistant", content: message.content },
      );
      continue;
    }
    const previous = out.at(-1);
    if (message.role === "user" && previous?.role === "user") {
      out[out.length - 1] = { role: "user", content: `${previous.content}\n\n${message.content}` };
      continue;
    }
    out.push({ ...message });
  }
  return orderToolResults(out);
}

/** Parallel calls finish in any order; the model gets their results in the order it made the calls. */
function orderToolResults(messages: ChatMessage[]): ChatMessage[] {
  let order = new Map<string, number>();
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === "assistant") {
      order = new Map((message.toolCalls ?? []).map((call, index) => [call.id, index]));
      continue;
    }
    if (message.role !== "tool") continue;
    let end = i;
    while (messages[end + 1]?.role === "tool") end++;
    const run = messages.slice(i, end + 1) as Extract<ChatMessage, { role: "tool" }>[];
    run.sort((a, b) => (order.get(a.toolCallId) ?? 0) - (order.get(b.toolCallId) ?? 0));
    messages.splice(i, run.length, ...run);
    i = end;
  }
  return messages;
}
