export {
  type ContextWindowResolver,
  createContextWindowResolver,
  DEFAULT_CONTEXT_WINDOW,
} from "./context-window.ts";
export { type CreateModelClientOptions, createModelClient, type LlmLogger } from "./create-model-client.ts";
export { type ClassifiedError, classifyError, type FailureKind } from "./errors.ts";
export { type ListedModel, type ListModelsOptions, listModels, ModelListError } from "./list-models.ts";
export * from "./model-client.ts";
export { createNoModelClient } from "./no-model-client.ts";
export type { CreateModelOptions, ProviderAdapter, ProviderType } from "./providers/types.ts";
export { BUILT_IN_PROVIDERS, createProviderRegistry, type ProviderRegistry } from "./registry.ts";
export { backoffMs, realTimers, scaledTimers, type Timers } from "./timers.ts";
