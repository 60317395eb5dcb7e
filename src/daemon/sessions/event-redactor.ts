import type { EventDraft } from "../agent/event-draft.ts";
import type { SecretRedactor } from "../tools/policy/redaction.ts";
import { createStreamRedactor, type StreamRedactor } from "../tools/policy/stream-redaction.ts";

/** A text or thinking delta: streamed live, never stored. */
export type DeltaDraft = Extract<EventDraft, { type: "text_delta" | "thinking_delta" }>;

// Fields that are identifiers or enumerations, never free text: left as they are.
const STRUCTURAL = new Set([
  "type",
  "responseId",
  "callId",
  "messageId",
  "toolName",
  "decision",
  "partial",
  "status",
]);

export type EventRedactor = ReturnType<typeof createEventRedactor>;

// Which streams of a response have ended when an event of this type arrives for it.
const SETTLES: Partial<Record<EventDraft["type"], DeltaDraft["type"][]>> = {
  text_delta: ["thinking_delta"],
  thinking_delta: ["text_delta"],
  tool_call: ["thinking_delta", "text_delta"],
};

/**
 * The redaction applied where a session's events are appended (stored and streamed): every free
 * text field of every event — model text and thinking, tool arguments and results, errors,
 * titles, compaction summaries — loses known secret values, secret-shaped text and URL
 * credentials. A user's own message loses only known values and URL credentials (its wording is
 * what the model must see). Deltas go through one stream redactor per response, so a secret split
 * across deltas is never sent; the completing `text`/`thinking` event ends that response's stream.
 */
export function createEventRedactor(redactor: () => SecretRedactor) {
  const streams = new Map<string, StreamRedactor>();
  return {
    /** The draft with its text fields redacted (a new object; the draft is not changed). */
    event<T extends EventDraft>(draft: T): T {
      if (draft.type === "text" || draft.type === "thinking")
        streams.delete(`${draft.type}_delta:${draft.responseId}`);
      if (draft.type === "turn_completed") streams.clear();
      return redactFields(draft, redactor());
    },

    /** A stored event as it leaves again (replay, transcript): redacted with today's secrets. */
    stored<T extends { type: string }>(event: T): T {
      return redactFields(event, redactor());
    },

    /**
     * Deltas to send before `draft`: when a response moves on — thinking to text, text to
     * thinking, or to a tool call — the other streams of that response have ended, and what they
     * held back (a word that might have become a secret) is settled and sent now, in order,
     * instead of only with the completing event after the tool calls.
     */
    settle(draft: EventDraft): DeltaDraft[] {
      const kinds = SETTLES[draft.type];
      if (!kinds || !("responseId" in draft)) return [];
      const out: DeltaDraft[] = [];
      for (const type of kinds) {
        const text = streams.get(`${type}:${draft.responseId}`)?.settle();
        if (text) out.push({ type, responseId: draft.responseId, text });
      }
      return out;
    },

    /** The delta's text that may be sent now, redacted; undefined when all of it is held back. */
    delta(draft: DeltaDraft): DeltaDraft | undefined {
      const key = `${draft.type}:${draft.responseId}`;
      let stream = streams.get(key);
      if (!stream) {
        stream = createStreamRedactor(redactor);
        streams.set(key, stream);
      }
      const text = stream.push(draft.text);
      return text === "" ? undefined : { ...draft, text };
    },
  };
}

function redactFields<T extends { type: string }>(draft: T, current: SecretRedactor): T {
  const redact = draft.type === "user_message" ? current.known : current.text;
  const out: Record<string, unknown> = { ...draft };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === "string" && !STRUCTURAL.has(key)) out[key] = redact(value);
  }
  return out as T;
}
