import type { ChatMessage } from "../llm/model-client.ts";
import type { IdentitySource } from "./identity.ts";
import { OPERATING_CORE } from "./operating-core.ts";

/**
 * The system prompt: SOUL → operating core → AGENTS → TOOLING → the session's addendum (project
 * instructions). Everything in it changes only when a file is edited or the agent changes its
 * working directory, so the prompt prefix stays cacheable by providers.
 */
export function buildSystemPrompt(identity: IdentitySource, addendum?: string): string {
  const files = identity.read();
  return [files["SOUL.md"], OPERATING_CORE, files["AGENTS.md"], files["TOOLING.md"], addendum ?? ""]
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join("\n\n");
}

/**
 * One model request's messages: the stable system prompt first, then the history, with the
 * volatile block (current time) as a user message just before the newest user message. It
 * cannot be a system message after the conversation — Anthropic's API rejects a system message
 * anywhere but first — and placed there it leaves every earlier message, and so the provider's
 * cached prefix, unchanged, while the conversation still ends with the user's words or the last
 * tool result. Callers pass one `now` per turn so the tool steps of a turn share one prompt.
 */
export function assemblePrompt(options: {
  identity: IdentitySource;
  history: ChatMessage[];
  now: Date;
  addendum?: string | undefined;
  /** Recalled memories for this turn (formatRecallBlock), part of the volatile block. */
  recalled?: string;
}): ChatMessage[] {
  const time = `[current time]\n${options.now.toISOString()} (UTC)`;
  const volatile: ChatMessage = {
    role: "user",
    content: options.recalled ? `${time}\n\n[memory]\n${options.recalled}` : time,
  };
  const history = [...options.history];
  const newest = history.findLastIndex((message) => message.role === "user");
  history.splice(newest < 0 ? history.length : newest, 0, volatile);
  return [{ role: "system", content: buildSystemPrompt(options.identity, options.addendum) }, ...history];
}
