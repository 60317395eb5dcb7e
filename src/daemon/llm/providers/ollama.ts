import type { ProviderConfig } from "../../../config/schema.ts";
import { ndjsonGuardedFetch } from "./ndjson-guard.ts";
import { type ProviderAdapter, reasoningLevel } from "./types.ts";

/**
 * ollama-ai-provider-v2 sends `think: false` unless reasoning was asked for, which turns thinking
 * off even for models Ollama would let think. With `VendorOptions.Reasoning` unset we drop the
 * field, so Ollama's own default applies.
 */
function withoutForcedThink(inner: typeof fetch): typeof fetch {
  return (input, init) => {
    if (typeof init?.body !== "string" || !init.body.includes('"think":false')) return inner(input, init);
    const body = JSON.parse(init.body) as Record<string, unknown>;
    delete body["think"];
    return inner(input, { ...init, body: JSON.stringify(body) });
  };
}

const DEFAULT_ENDPOINT = "http://localhost:11434";

/**
 * Ollama's native `/api/chat` (NDJSON). Users write the server's root (`http://host:11434`, as
 * Ollama documents it); ollama-ai-provider-v2 wants the `/api` base, so it is appended unless
 * already there. A key, when configured (Ollama behind an authenticating proxy), goes out as a
 * bearer token: the provider has no `apiKey` option.
 */
export const ollamaProvider: ProviderAdapter = {
  type: "ollama",
  defaultEndpoint: DEFAULT_ENDPOINT,
  baseUrl: (provider: ProviderConfig) => {
    const root = (provider.Endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
    return root.endsWith("/api") ? root : `${root}/api`;
  },
  async createModel({ provider, modelId, fetch }) {
    const { createOllama } = await import("ollama-ai-provider-v2");
    return createOllama({
      baseURL: ollamaProvider.baseUrl(provider),
      fetch: ndjsonGuardedFetch(
        reasoningLevel(provider) === undefined
          ? withoutForcedThink(fetch ?? globalThis.fetch)
          : (fetch ?? globalThis.fetch),
      ),
      ...(provider.ApiKey === undefined ? {} : { headers: { Authorization: `Bearer ${provider.ApiKey}` } }),
    })(modelId);
  },
};
