import type { LanguageModel, streamText } from "ai";
import type { ProviderConfig } from "../../../config/schema.ts";

export type ProviderType = NonNullable<ProviderConfig["Type"]>;

/** Per-call vendor options, as `streamText` takes them (`{ anthropic: { … } }`). */
export type CallProviderOptions = NonNullable<Parameters<typeof streamText>[0]["providerOptions"]>;

export type ReasoningLevel = "off" | "low" | "medium" | "high";

/**
 * `VendorOptions.Reasoning` (off | low | medium | high): how hard a reasoning model thinks, and
 * whether its thinking is streamed. Unset or unknown means the vendor's default.
 */
export function reasoningLevel(provider: ProviderConfig): ReasoningLevel | undefined {
  const raw = provider.VendorOptions?.["Reasoning"]?.trim().toLowerCase();
  return raw === "off" || raw === "low" || raw === "medium" || raw === "high" ? raw : undefined;
}

/** What a provider adapter gets: one `Providers.<name>` entry, the model id and the fetch to use. */
export type CreateModelOptions = {
  /** The configured name (`local-ollama`), used where the SDK wants a provider name. */
  name: string;
  provider: ProviderConfig;
  modelId: string;
  fetch?: typeof fetch;
};

/**
 * One provider type: a pure translation from our configuration to an AI SDK language model.
 * The vendor SDK is imported inside `createModel`, so a daemon that never talks to a vendor never
 * loads its module.
 */
export type ProviderAdapter = {
  type: ProviderType;
  /** The vendor's public endpoint, used when `Endpoint` is not configured. */
  defaultEndpoint: string;
  /** The base URL the SDK and the listing calls use, derived from `Endpoint` or the default. */
  baseUrl(provider: ProviderConfig): string;
  createModel(options: CreateModelOptions): Promise<LanguageModel>;
  /** Vendor options for every call, from `VendorOptions` (reasoning); undefined for none. */
  callOptions?(provider: ProviderConfig): CallProviderOptions | undefined;
};

/**
 * Appends `suffix` to an endpoint that names only a host (`https://api.openai.com` →
 * `https://api.openai.com/v1`); an endpoint with a path is taken as the user wrote it.
 */
export function withDefaultPath(endpoint: string, suffix: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return new URL(trimmed).pathname === "/" ? `${trimmed}${suffix}` : trimmed;
}
