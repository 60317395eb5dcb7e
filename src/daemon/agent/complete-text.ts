import type { Role } from "../../config/models.ts";
import type { ChatMessage, ModelClient } from "../llm/model-client.ts";

/**
 * One non-streaming side call (titles, compaction summaries): the collected text of a response,
 * or undefined when the model failed, timed out or returned nothing. Never throws.
 */
export async function completeText(options: {
  model: ModelClient;
  role: Role;
  messages: ChatMessage[];
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let text = "";
  try {
    for await (const event of options.model.stream({
      role: options.role,
      messages: options.messages,
      signal,
    })) {
      if (event.type === "text_delta") text += event.text;
      else if (event.type === "error") return undefined;
      else if (event.type === "done") break;
    }
  } catch {
    return undefined;
  }
  const trimmed = text.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}
