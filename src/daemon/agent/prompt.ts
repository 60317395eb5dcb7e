import type { ChatMessage } from "../llm/model-client.ts";
import type { IdentitySource } from "./identity.ts";
import { OPERATING_CORE } from "./operating-core.ts";

/**
 * The system prompt: SOUL → operating core → AGENTS → TOOLING. Everything in it changes only
 * when a user edits a file, so the prompt prefix stays cacheable by providers.
 */
export function buildSystemPrompt(identity: IdentitySource): string {
  const files = identity.read();
  return [files["SOUL.md"], OPERATING_CORE, files["AGENTS.md"], files["TOOLING.md"]]
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join("\n\n");
}

/**
 * One model request's messages: the stable system prompt first, then the history, then a
 * trailing volatile block (current time) — last, so it never invalidates the cached prefix.
 */
export function assemblePrompt(options: {
  identity: IdentitySource;
  history: ChatMessage[];
  now: Date;
}): ChatMessage[] {
  const volatile = `[current time]\n${options.now.toISOString()} (UTC)`;
  return [
    { role: "system", content: buildSystemPrompt(options.identity) },
    ...options.history,
    { role: "system", content: volatile },
  ];
}
