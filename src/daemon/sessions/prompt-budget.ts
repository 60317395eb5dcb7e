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
 * What a turn's new input may use: the Main model's context window and what every request
 * carries besides the history (system prompt, tool definitions). History is not counted:
 * compaction can shrink it, never the new input or the system prompt.
 */
export type PromptBudget = { window: number; system: number };

/** The budget now; undefined without a configured model (nothing is checked then). */
export async function measureBudget(options: {
  model: ModelClient;
  /** What every request carries besides the history: system prompt, tool definitions. */
  fixedPrompt: () => string;
}): Promise<PromptBudget | undefined> {
  if (!options.model.configured) return undefined;
  const window = await options.model.contextWindow("Main");
  return { window, system: estimateTokens(options.fixedPrompt()) };
}

/** Whether `text` (a turn's new input) fits `budget`; always true without a budget. */
export function fitsBudget(budget: PromptBudget | undefined, text: string): boolean {
  return budget === undefined || estimateTokens(text) + budget.system <= budget.window;
}

/**
 * NetclawError 413 `context_window_exceeded` with the numbers, for new input that cannot fit the
 * Main model's context window even with an empty history.
 */
export function contextWindowError(budget: PromptBudget, text: string): NetclawError {
  const message = estimateTokens(text);
  const { system, window } = budget;
  return new NetclawError(
    "context_window_exceeded",
    `The prompt is about ${message + system} tokens (the message about ${message}, the system prompt and tool definitions about ${system}); the model's context window is ${window} tokens. Send a shorter message or split it into several, or use a model with a larger context window.`,
    { status: 413 },
  );
}

/** Throws contextWindowError for a message that cannot fit; without a configured model nothing is checked. */
export async function assertFitsContext(options: {
  text: string;
  model: ModelClient;
  fixedPrompt: () => string;
}): Promise<void> {
  const budget = await measureBudget(options);
  if (budget !== undefined && !fitsBudget(budget, options.text))
    throw contextWindowError(budget, options.text);
}
