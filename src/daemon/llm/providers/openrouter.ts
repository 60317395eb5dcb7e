import type { ProviderConfig } from "../../../config/schema.ts";
import { type ProviderAdapter, reasoningLevel, withDefaultPath } from "./types.ts";

const DEFAULT_ENDPOINT = "https://openrouter.ai/api/v1";

/** OpenRouter's app attribution: who is calling, shown on openrouter.ai's rankings. */
export const NETCLAW_APP = { name: "netclaw", url: "https://netclaw.dev" } as const;

/**
 * OpenRouter's OpenAI-style chat API. The SDK sends the title as `X-OpenRouter-Title`; we also
 * send the long-documented `X-Title` so either spelling reaches OpenRouter.
 */
export const openrouterProvider: ProviderAdapter = {
  type: "openrouter",
  defaultEndpoint: DEFAULT_ENDPOINT,
  baseUrl: (provider: ProviderConfig) => withDefaultPath(provider.Endpoint ?? DEFAULT_ENDPOINT, "/api/v1"),
  async createModel({ provider, modelId, fetch }) {
    const { createOpenRouter } = await import("@openrouter/ai-sdk-provider");
    return createOpenRouter({
      baseURL: openrouterProvider.baseUrl(provider),
      appName: NETCLAW_APP.name,
      appUrl: NETCLAW_APP.url,
      headers: { "HTTP-Referer": NETCLAW_APP.url, "X-Title": NETCLAW_APP.name },
      ...(provider.ApiKey === undefined ? {} : { apiKey: provider.ApiKey }),
      ...(fetch === undefined ? {} : { fetch }),
    }).chat(modelId);
  },
  /**
   * This SDK ignores the AI SDK's `reasoning` call option; OpenRouter's own `reasoning` request
   * field (passed through from provider options) carries the level instead.
   */
  callOptions(provider) {
    const level = reasoningLevel(provider);
    if (level === undefined) return undefined;
    return { openrouter: { reasoning: level === "off" ? { effort: "none" } : { effort: level } } };
  },
};
