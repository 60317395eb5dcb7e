import { completeText } from "../agent/complete-text.ts";
import type { ModelClient } from "../llm/model-client.ts";

const TITLE_INSTRUCTIONS =
  "You name conversations. Reply with a short title for the conversation below: at most 8 words, no quotes, no punctuation at the end, nothing else.";

/** At most 8 words of the model's first non-empty line, without quotes or trailing punctuation. */
export function cleanTitle(raw: string): string | undefined {
  const line = raw
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!line) return undefined;
  const words = line
    .replace(/^(title:)\s*/i, "")
    .replace(/^["'`*#\s]+|["'`*\s]+$/g, "")
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);
  const title = words.join(" ").replace(/[.,;:!?]+$/, "");
  return title.length > 0 ? title.slice(0, 120) : undefined;
}

/** Asks the Compaction model for a title of the first exchange; undefined when it cannot. */
export async function generateTitle(options: {
  model: ModelClient;
  userText: string;
  assistantText: string;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const excerpt = (text: string) => (text.length > 2000 ? `${text.slice(0, 2000)}…` : text);
  const raw = await completeText({
    model: options.model,
    role: "Compaction",
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    messages: [
      { role: "system", content: TITLE_INSTRUCTIONS },
      {
        role: "user",
        content: `User: ${excerpt(options.userText)}\n\nAssistant: ${excerpt(options.assistantText)}`,
      },
    ],
  });
  return raw === undefined ? undefined : cleanTitle(raw);
}
