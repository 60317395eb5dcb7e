import type { ProviderConfig } from "../schema.ts";

export type ProviderType = NonNullable<ProviderConfig["Type"]>;

/** The endpoint each provider type uses when none is configured (what users see and type). */
export const DEFAULT_ENDPOINTS: Record<ProviderType, string> = {
  ollama: "http://localhost:11434",
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  openrouter: "https://openrouter.ai/api/v1",
  "openai-compatible": "http://localhost:8000/v1",
};

/** Appends the vendor's API path when the user gave only a host (`https://openrouter.ai` → `/api/v1`). */
export function withDefaultPath(endpoint: string, suffix: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return new URL(trimmed).pathname === "/" ? `${trimmed}${suffix}` : trimmed;
}

/**
 * The API base URL for a provider — shared by the daemon's SDK adapters, context-window
 * detection and model discovery (which the CLI also runs), so they always agree.
 * Ollama's native API lives under `/api`.
 */
export function providerBaseUrl(type: ProviderType, provider: ProviderConfig): string {
  const endpoint = provider.Endpoint ?? DEFAULT_ENDPOINTS[type];
  switch (type) {
    case "ollama": {
      const root = endpoint.replace(/\/+$/, "");
      return root.endsWith("/api") ? root : `${root}/api`;
    }
    case "openrouter":
      return withDefaultPath(endpoint, "/api/v1");
    case "openai":
    case "anthropic":
      return withDefaultPath(endpoint, "/v1");
    default:
      return endpoint.replace(/\/+$/, "");
  }
}
