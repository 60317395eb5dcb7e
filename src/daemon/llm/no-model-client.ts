import { DEFAULT_CONTEXT_WINDOW } from "./context-window.ts";
import { type ModelClient, type ModelEvent, NO_MODEL_MESSAGE } from "./model-client.ts";

/**
 * The client of a daemon without a usable Main model (reference/agent.md §1, "No-Op client"):
 * it calls nothing, and every stream ends at once with an `error` event coded `no_model` whose
 * message is the notice followed by the commands that fix it.
 */
export function createNoModelClient(reason: string): ModelClient {
  const message = reason.startsWith(NO_MODEL_MESSAGE) ? reason : `${NO_MODEL_MESSAGE} ${reason}`;
  return {
    configured: false,
    async *stream(): AsyncGenerator<ModelEvent> {
      yield { type: "error", error: { code: "no_model", message, retryable: false }, afterOutput: false };
    },
    contextWindow: async () => DEFAULT_CONTEXT_WINDOW,
  };
}
