import type { ProviderConfig } from "../../../config/schema.ts";
import type { ProviderAdapter } from "./types.ts";

const DEFAULT_ENDPOINT = "http://localhost:8000/v1";

/**
 * Any server speaking OpenAI chat completions (vLLM, llama.cpp, LM Studio…). `Endpoint` is
 * required by validation and used exactly as written — these servers differ in where `/v1` sits.
 * `includeUsage` asks for the usage chunk, which such servers only send when asked.
 */
export const openaiCompatibleProvider: ProviderAdapter = {
  type: "openai-compatible",
  defaultEndpoint: DEFAULT_ENDPOINT,
  baseUrl: (provider: ProviderConfig) => (provider.Endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, ""),
  async createModel({ name, provider, modelId, fetch }) {
    const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
    return createOpenAICompatible({
      name,
      baseURL: openaiCompatibleProvider.baseUrl(provider),
      includeUsage: true,
      ...(provider.ApiKey === undefined ? {} : { apiKey: provider.ApiKey }),
      ...(fetch === undefined ? {} : { fetch }),
    }).chatModel(modelId);
  },
};
