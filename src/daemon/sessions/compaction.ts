import { completeText } from "../agent/complete-text.ts";
import type { ChatMessage, ModelClient } from "../llm/model-client.ts";
import { CLEARED_TOOL_RESULT, type HistoryEntry } from "./history.ts";

export type CompactionPlan = {
  messagesBefore: number;
  messagesAfter: number;
  toolResultsCleared: number;
  /** Tool results of events below this id become placeholders. */
  toolResultsClearedBeforeEventId?: number;
  /** Entries before the one with this event id are dropped (behind a summary). */
  keptFromEventId?: number;
  dropped: HistoryEntry[];
};

const chars = (message: ChatMessage): number =>
  message.content.length +
  (message.role === "assistant"
    ? (message.toolCalls ?? []).reduce(
        (n, c) => n + c.name.length + JSON.stringify(c.arguments ?? {}).length,
        0,
      )
    : 0);

/**
 * Decides a compaction once the last request's input tokens passed `threshold × contextWindow`
 * (reference/agent.md §2): first clear old tool results, keeping the newest `keepRecentToolResults`;
 * if that is not enough, drop the oldest messages — cutting only in front of a user message, so
 * a tool call never loses its result — until the rest fits in half the window. Token sizes are
 * estimated from characters, calibrated by the measured input tokens. Returns undefined when
 * under the threshold.
 */
export function planCompaction(options: {
  entries: readonly HistoryEntry[];
  inputTokens: number;
  contextWindow: number;
  threshold: number;
  keepRecentToolResults: number;
}): CompactionPlan | undefined {
  const { entries, inputTokens, contextWindow } = options;
  const limit = options.threshold * contextWindow;
  if (inputTokens <= limit || entries.length === 0) return undefined;
  const totalChars = entries.reduce((n, e) => n + chars(e.message), 0);
  const tokensPerChar = inputTokens / Math.max(1, totalChars);

  const live = entries.filter((e) => e.message.role === "tool" && e.message.content !== CLEARED_TOOL_RESULT);
  const toClear = live.slice(0, Math.max(0, live.length - options.keepRecentToolResults));
  const saved = toClear.reduce((n, e) => n + chars(e.message) - CLEARED_TOOL_RESULT.length, 0);
  const plan: CompactionPlan = {
    messagesBefore: entries.length,
    messagesAfter: entries.length,
    toolResultsCleared: toClear.length,
    dropped: [],
  };
  if (toClear.length > 0) plan.toolResultsClearedBeforeEventId = toClear.at(-1)!.eventId + 1;
  if (inputTokens - saved * tokensPerChar <= limit) return toClear.length > 0 ? plan : undefined;

  const size = (entry: HistoryEntry) =>
    (toClear.includes(entry) ? CLEARED_TOOL_RESULT.length : chars(entry.message)) * tokensPerChar;
  const target = contextWindow * 0.5;
  let cut = -1;
  let suffix = 0;
  for (let i = entries.length - 1; i > 0; i--) {
    suffix += size(entries[i]!);
    if (entries[i]!.message.role !== "user") continue;
    if (suffix <= target || cut < 0) cut = i;
    if (suffix > target) break;
  }
  if (cut <= 0) return toClear.length > 0 ? plan : undefined;
  plan.keptFromEventId = entries[cut]!.eventId;
  plan.dropped = entries.slice(0, cut);
  plan.messagesAfter = entries.length - cut + 1;
  return plan;
}

const SUMMARY_INSTRUCTIONS = `You compress the early part of a conversation between a user and an operations agent so the agent can continue without it.
Write short bullet points: facts learned, decisions made, commands run and their outcomes, open questions. Mark critical items with [!]. End with one line "Current task: …".
Reply with the bullets only.`;

/** The Compaction model's summary of the dropped messages; undefined when it fails. */
export async function summarizeDropped(options: {
  model: ModelClient;
  dropped: readonly HistoryEntry[];
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const transcript = options.dropped
    .map(({ message }) => {
      if (message.role === "tool") return `Tool result (${message.toolName}): ${clip(message.content)}`;
      if (message.role === "assistant") {
        const calls = (message.toolCalls ?? []).map((c) => ` [called ${c.name}]`).join("");
        return `Assistant: ${clip(message.content)}${calls}`;
      }
      return `${message.role === "user" ? "User" : "System"}: ${clip(message.content)}`;
    })
    .join("\n");
  return completeText({
    model: options.model,
    role: "Compaction",
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    messages: [
      { role: "system", content: SUMMARY_INSTRUCTIONS },
      { role: "user", content: transcript },
    ],
  });
}

function clip(text: string): string {
  return text.length > 4000 ? `${text.slice(0, 2000)} … ${text.slice(-1000)}` : text;
}
