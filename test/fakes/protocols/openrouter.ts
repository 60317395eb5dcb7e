import { createChatCompletionsProtocol } from "./chat-completions.ts";
import { DEFAULT_CONTEXT_LENGTH, type FakeModel } from "./types.ts";

/**
 * OpenRouter: chat completions under `/api/v1`, reasoning as `reasoning` plus `reasoning_details`,
 * a `: OPENROUTER PROCESSING` comment up front and usage (with cost) on every stream.
 */
export const openrouterProtocol = createChatCompletionsProtocol({
  id: "openrouter",
  vendor: "openrouter",
  idPrefix: "gen-fake",
  extraFields: { provider: "Fake" },
  reasoningFields: (text) => ({
    reasoning: text,
    reasoning_details: [{ type: "reasoning.text", text, format: "unknown", index: 0 }],
  }),
  usageAlways: true,
  processingComment: true,
  nativeFinishReason: true,
  usageExtraFields: { cost: 0, is_byok: false },
});

/** `GET /api/v1/models`. */
export function openrouterModels(models: readonly FakeModel[]): unknown {
  return {
    data: models.map((model) => {
      const contextLength = model.contextLength ?? DEFAULT_CONTEXT_LENGTH;
      return {
        id: model.id,
        canonical_slug: model.id,
        name: `Fake: ${model.id}`,
        created: 1700000000,
        description: "A model served by the netclaw test fake.",
        context_length: contextLength,
        architecture: {
          modality: "text->text",
          input_modalities: ["text"],
          output_modalities: ["text"],
          tokenizer: "Other",
          instruct_type: null,
        },
        pricing: { prompt: "0", completion: "0", request: "0", image: "0", internal_reasoning: "0" },
        top_provider: { context_length: contextLength, max_completion_tokens: 16384, is_moderated: false },
        per_request_limits: null,
        supported_parameters: ["max_tokens", "temperature", "tools", "tool_choice", "reasoning"],
      };
    }),
  };
}
