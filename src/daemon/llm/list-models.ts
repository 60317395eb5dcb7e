import type { ProviderConfig } from "../../config/schema.ts";
import { NetclawError } from "../../protocol/errors.ts";
import { createProviderRegistry, type ProviderRegistry } from "./registry.ts";
import {
  bearer,
  entryContextWindow,
  getJson,
  modelListSchema,
  ollamaTagsSchema,
  VendorHttpError,
} from "./vendor-http.ts";

export type ListedModel = { id: string; contextWindow?: number };

export class ModelListError extends NetclawError {
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super("model_list_failed", message, { status: 502, isRetryable: true, cause: options.cause });
  }
}

export type ListModelsOptions = {
  /** The configured name, for messages. */
  name: string;
  provider: ProviderConfig;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  registry?: ProviderRegistry;
};

const ANTHROPIC_VERSION = "2023-06-01";
const MAX_PAGES = 20;

/**
 * The models a provider offers, for `netclaw model discover`: OpenRouter and OpenAI(-compatible)
 * `GET /models`, Ollama `GET /api/tags`, Anthropic `GET /v1/models` (paged). Throws
 * `ModelListError` naming the provider and the likely fix; never called on the turn path.
 */
export async function listModels(options: ListModelsOptions): Promise<ListedModel[]> {
  const { name, provider } = options;
  const type = provider.Type;
  if (type === undefined)
    throw new ModelListError(`Provider '${name}' has no Type (Providers.${name}.Type).`);
  const registry = options.registry ?? createProviderRegistry();
  const base = registry.get(type).baseUrl(provider);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const signal = options.signal ?? AbortSignal.timeout(10_000);
  const get = (url: string, headers: Record<string, string>) =>
    getJson({ url, fetch: fetchImpl, init: { headers, signal } });
  try {
    if (type === "ollama") {
      const tags = ollamaTagsSchema.parse(await get(`${base}/tags`, bearer(provider)));
      return tags.models.map((model) => ({ id: model.name }));
    }
    if (type === "anthropic") {
      const headers = { "x-api-key": provider.ApiKey ?? "", "anthropic-version": ANTHROPIC_VERSION };
      const models: ListedModel[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = after === undefined ? "" : `?after_id=${encodeURIComponent(after)}`;
        const list = modelListSchema.parse(await get(`${base}/models${query}`, headers));
        models.push(...list.data.map((entry) => ({ id: entry.id })));
        if (list.has_more !== true || !list.last_id) break;
        after = list.last_id;
      }
      return models;
    }
    const list = modelListSchema.parse(await get(`${base}/models`, bearer(provider)));
    return list.data.map((entry) => {
      const contextWindow = entryContextWindow(entry);
      return contextWindow === undefined ? { id: entry.id } : { id: entry.id, contextWindow };
    });
  } catch (error) {
    throw listError({ name, type, base, error });
  }
}

function listError(options: { name: string; type: string; base: string; error: unknown }): ModelListError {
  const { name, type, base, error } = options;
  if (error instanceof VendorHttpError && (error.status === 401 || error.status === 403)) {
    return new ModelListError(
      `Provider '${name}' (${type}) refused the API key when listing models (HTTP ${error.status}). Set it with \`netclaw secrets set Providers.${name}.ApiKey <key>\`.`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ModelListError(
    `Could not list the models of provider '${name}' (${type}) at ${base}: ${reason}. Check Providers.${name}.Endpoint and that the server is running.`,
    { cause: error },
  );
}
