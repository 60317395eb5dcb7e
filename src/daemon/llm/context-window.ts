import type { ResolvedModel } from "../../config/models.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import type { ProviderRegistry } from "./registry.ts";
import { bearer, entryContextWindow, getJson, modelListSchema, ollamaShowSchema } from "./vendor-http.ts";

export const DEFAULT_CONTEXT_WINDOW = 32_768;
const DETECT_TIMEOUT_MS = 3000;
const RETRY_FAILED_DETECTION_MS = 60_000;

type Detect = {
  provider: ProviderConfig;
  modelId: string;
  baseUrl: string;
  fetch: typeof fetch;
  signal: AbortSignal;
};

/** Ollama `POST /api/show`: `model_info["<architecture>.context_length"]`. */
async function detectOllama(options: Detect): Promise<number | undefined> {
  const body = await getJson({
    url: `${options.baseUrl}/show`,
    fetch: options.fetch,
    init: {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(options.provider) },
      body: JSON.stringify({ model: options.modelId }),
      signal: options.signal,
    },
  });
  const info = ollamaShowSchema.parse(body).model_info;
  const arch = info["general.architecture"];
  const preferred = typeof arch === "string" ? info[`${arch}.context_length`] : undefined;
  const any = Object.entries(info).find(
    ([key, value]) => key.endsWith(".context_length") && typeof value === "number",
  );
  const value = typeof preferred === "number" ? preferred : any?.[1];
  return typeof value === "number" && value > 0 ? value : undefined;
}

/** OpenRouter's and OpenAI-compatible servers' `GET /models`, when an entry reports a window. */
async function detectFromList(options: Detect): Promise<number | undefined> {
  const body = await getJson({
    url: `${options.baseUrl}/models`,
    fetch: options.fetch,
    init: { headers: bearer(options.provider), signal: options.signal },
  });
  const entry = modelListSchema.parse(body).data.find((model) => model.id === options.modelId);
  return entry === undefined ? undefined : entryContextWindow(entry);
}

const DETECTORS: Partial<Record<string, (options: Detect) => Promise<number | undefined>>> = {
  ollama: detectOllama,
  openrouter: detectFromList,
  "openai-compatible": detectFromList,
};

export type ContextWindowResolver = (options: {
  model: ResolvedModel;
  provider: ProviderConfig;
}) => Promise<number>;

/**
 * Context window per model: the configured `ContextWindow` caps what the provider reports; with
 * neither, 32768. Detection has a short timeout and never throws; results are cached per
 * provider + model, failures only for a minute (a local server may simply not be up yet).
 */
export function createContextWindowResolver(options: {
  registry: ProviderRegistry;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs?: number;
}): ContextWindowResolver {
  const cache = new Map<string, { value: number | undefined; until: number }>();
  const inFlight = new Map<string, Promise<number | undefined>>();

  const detect = async (model: ResolvedModel, provider: ProviderConfig): Promise<number | undefined> => {
    const detector = DETECTORS[model.providerType];
    if (detector === undefined) return undefined;
    const key = `${model.provider}\u0000${model.modelId}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > options.now()) return cached.value;
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    const attempt = detector({
      provider,
      modelId: model.modelId,
      baseUrl: options.registry.get(model.providerType).baseUrl(provider),
      fetch: options.fetch,
      signal: AbortSignal.timeout(options.timeoutMs ?? DETECT_TIMEOUT_MS),
    })
      .then((value) => {
        cache.set(key, {
          value,
          until: value === undefined ? options.now() + RETRY_FAILED_DETECTION_MS : Infinity,
        });
        return value;
      })
      .catch(() => {
        cache.set(key, { value: undefined, until: options.now() + RETRY_FAILED_DETECTION_MS });
        return undefined;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, attempt);
    return attempt;
  };

  return async ({ model, provider }) => {
    const detected = await detect(model, provider);
    const configured = model.contextWindow;
    if (configured !== undefined) return detected === undefined ? configured : Math.min(configured, detected);
    return detected ?? DEFAULT_CONTEXT_WINDOW;
  };
}
