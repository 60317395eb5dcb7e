import { fitsBudget, type PromptBudget } from "./prompt-budget.ts";

/** A turn's new input as the model sees it: its user messages in order, merged (see toModelMessages). */
export function joinTurnText(texts: readonly string[]): string {
  return texts.filter((text) => text.length > 0).join("\n\n");
}

/**
 * How many of the waiting messages (`texts`, oldest first) the next turn takes: as many as fit
 * the context window together, so the rest wait for a turn of their own instead of making one
 * input too large to send. At least one (when any wait): a message that cannot fit even alone is
 * refused by the turn, with the numbers. Without a budget (no model) all of them.
 */
export function turnBatchSize(options: {
  texts: readonly string[];
  budget: PromptBudget | undefined;
}): number {
  const { texts, budget } = options;
  let count = Math.min(1, texts.length);
  while (count < texts.length && fitsBudget(budget, joinTurnText(texts.slice(0, count + 1)))) count++;
  return count;
}
