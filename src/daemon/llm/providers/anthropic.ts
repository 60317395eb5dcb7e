import { DEFAULT_ENDPOINTS, providerBaseUrl } from "../../../config/providers/endpoints.ts";
import type { ProviderConfig } from "../../../config/schema.ts";
import type { ProviderAdapter } from "./types.ts";

/** Anthropic Messages API; the SDK appends `/messages` to a base that ends in `/v1`. */
export const anthropicProvider: ProviderAdapter = {
  type: "anthropic",
  defaultEndpoint: DEFAULT_ENDPOINTS.anthropic,
  baseUrl: (provider: ProviderConfig) => providerBaseUrl("anthropic", provider),
  async createModel({ provider, modelId, fetch }) {
    const { createAnthropic } = await import("@ai-sdk/anthropic");
    return createAnthropic({
      baseURL: anthropicProvider.baseUrl(provider),
      ...(provider.ApiKey === undefined ? {} : { apiKey: provider.ApiKey }),
      ...(fetch === undefined ? {} : { fetch }),
    })(modelId);
  },
};
