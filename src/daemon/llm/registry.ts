import { anthropicProvider } from "./providers/anthropic.ts";
import { ollamaProvider } from "./providers/ollama.ts";
import { openaiProvider } from "./providers/openai.ts";
import { openaiCompatibleProvider } from "./providers/openai-compatible.ts";
import { openrouterProvider } from "./providers/openrouter.ts";
import type { ProviderAdapter, ProviderType } from "./providers/types.ts";

export type ProviderRegistry = {
  /** The adapter for a provider type; throws for a type nothing registered (a programming error). */
  get(type: ProviderType): ProviderAdapter;
  types(): ProviderType[];
};

export const BUILT_IN_PROVIDERS: readonly ProviderAdapter[] = [
  openrouterProvider,
  anthropicProvider,
  openaiProvider,
  ollamaProvider,
  openaiCompatibleProvider,
];

/**
 * A registry instance keyed by provider type — not a module-level singleton, so tests and the
 * daemon each build their own and nothing leaks between them. Later adapters replace earlier ones.
 */
export function createProviderRegistry(
  adapters: readonly ProviderAdapter[] = BUILT_IN_PROVIDERS,
): ProviderRegistry {
  const byType = new Map<ProviderType, ProviderAdapter>();
  for (const adapter of adapters) byType.set(adapter.type, adapter);
  return {
    get(type) {
      const adapter = byType.get(type);
      if (adapter === undefined) throw new Error(`No model provider is registered for type '${type}'.`);
      return adapter;
    },
    types: () => [...byType.keys()],
  };
}
