import type { ProviderConfig } from "../../../config/schema.ts";
import { type ProviderAdapter, withDefaultPath } from "./types.ts";

const DEFAULT_ENDPOINT = "https://api.anthropic.com/v1";

/** Anthropic Messages API; the SDK appends `/messages` to a base that ends in `/v1`. */
export const anthropicProvider: ProviderAdapter = {
  type: "anthropic",
  defaultEndpoint: DEFAULT_ENDPOINT,
  baseUrl: (provider: ProviderConfig) => withDefaultPath(provider.Endpoint ?? DEFAULT_ENDPOINT, "/v1"),
  async createModel({ provider, modelId, fetch }) {
    const { createAnthropic } = await import("@ai-sdk/anthropic");
    return createAnthropic({
      baseURL: anthropicProvider.baseUrl(provider),
      ...(provider.ApiKey === undefined ? {} : { apiKey: provider.ApiKey }),
      ...(fetch === undefined ? {} : { fetch }),
    })(modelId);
  },
};
