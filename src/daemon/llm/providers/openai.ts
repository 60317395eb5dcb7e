import type { ProviderConfig } from "../../../config/schema.ts";
import { type ProviderAdapter, reasoningLevel, withDefaultPath } from "./types.ts";

const DEFAULT_ENDPOINT = "https://api.openai.com/v1";

/**
 * OpenAI. Chat completions by default: it is the API every OpenAI-shaped server also speaks and
 * it carries everything the loop needs. `VendorOptions.Api = "responses"` opts into the
 * Responses API, which is the one that streams reasoning summaries of o-series / GPT-5 models.
 */
export const openaiProvider: ProviderAdapter = {
  type: "openai",
  defaultEndpoint: DEFAULT_ENDPOINT,
  baseUrl: (provider: ProviderConfig) => withDefaultPath(provider.Endpoint ?? DEFAULT_ENDPOINT, "/v1"),
  async createModel({ provider, modelId, fetch }) {
    const { createOpenAI } = await import("@ai-sdk/openai");
    const openai = createOpenAI({
      baseURL: openaiProvider.baseUrl(provider),
      ...(provider.ApiKey === undefined ? {} : { apiKey: provider.ApiKey }),
      ...(fetch === undefined ? {} : { fetch }),
    });
    const api = provider.VendorOptions?.["Api"]?.toLowerCase();
    return api === "responses" ? openai.responses(modelId) : openai.chat(modelId);
  },
  /** The SDK's `reasoning` sets the effort; only the Responses API also needs a summary asked for. */
  callOptions(provider) {
    const level = reasoningLevel(provider);
    const responses = provider.VendorOptions?.["Api"]?.toLowerCase() === "responses";
    return responses && level !== undefined && level !== "off"
      ? { openai: { reasoningSummary: "auto" } }
      : undefined;
  },
};
