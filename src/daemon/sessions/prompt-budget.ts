import { NetclawError } from "../../protocol/errors.ts";
import type { ModelClient } from "../llm/model-client.ts";

/**
 * A rough token count: UTF-8 bytes / 4. About right for English and code with common tokenizers,
 * and it counts a CJK character (3 bytes) as most tokenizers do — close to one token. It errs on
 * neither side by much; it only has to catch messages that cannot possibly fit.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

/**
 * Refuses a message that cannot fit the Main model's context window even with an empty history
 * (compaction can shrink history, never the message or the system prompt): NetclawError 413
 * `context_window_exceeded` with the numbers. Without a configured model nothing is checked.
 */
export async function assertFitsContext(options: {
  text: string;
  model: ModelClient;
  /** What every request carries besides the history: system prompt, tool definitions. */
  fixedPrompt: () => string;
}): Promise<void> {
  if (!options.model.configured) return;
  const message = estimateTokens(options.text);
  const system = estimateTokens(options.fixedPrompt());
  const window = await options.model.contextWindow("Main");
  if (message + system <= window) return;
  throw new NetclawError(
    "context_window_exceeded",
    `The prompt is about ${message + system} tokens (the message about ${message}, the system prompt and tool definitions about ${system}); the model's context window is ${window} tokens. Send a shorter message or split it into several, or use a model with a larger context window.`,
    { status: 413 },
  );
}
