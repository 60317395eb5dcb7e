import type { LanguageModel } from "ai";
import type { ModelResolution, ResolvedModel, Role } from "../../config/models.ts";
import type { NetclawConfig, ProviderConfig } from "../../config/schema.ts";
import { runAttempt } from "./attempt.ts";
import { createContextWindowResolver } from "./context-window.ts";
import { type ClassifiedError, toErrorInfo } from "./errors.ts";
import type { ModelClient, ModelEvent, ModelInfo, ModelRequest } from "./model-client.ts";
import { createNoModelClient } from "./no-model-client.ts";
import { reasoningLevel } from "./providers/types.ts";
import { createProviderRegistry, type ProviderRegistry } from "./registry.ts";
import { backoffMs, realTimers, sleep, type Timers } from "./timers.ts";

/** The logger methods used here; a pino logger fits. */
export type LlmLogger = {
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
};

export type CreateModelClientOptions = {
  config: NetclawConfig;
  resolution: ModelResolution;
  logger: LlmLogger;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; drives cache expiry. */
  now?: () => number;
  /** In [0, 1); drives backoff jitter. */
  random?: () => number;
  /** Timeouts and backoff wait on these (tests pass `scaledTimers`). */
  timers?: Timers;
  registry?: ProviderRegistry;
  /** How long context-window detection may take before the default is used (default 3000 ms). */
  contextDetectionTimeoutMs?: number;
  /** Attempts per model before giving up on it (default 3: one try, two retries). */
  maxAttempts?: number;
};

type AiModule = typeof import("ai");

const same = (a: ResolvedModel, b: ResolvedModel) => a.provider === b.provider && a.modelId === b.modelId;

const infoOf = (model: ResolvedModel): ModelInfo => ({
  role: model.role,
  provider: model.provider,
  providerType: model.providerType,
  modelId: model.modelId,
});

/**
 * Builds the daemon's `ModelClient`. `none` gives the no-model client; `invalid` throws a
 * TypeError (the daemon must have refused to start before getting here). Nothing is imported
 * from the AI SDK until the first stream.
 *
 * Per stream: the request's role model is tried first, then the Fallback role (when it names a
 * different provider/model). Before any output, 429 / 5xx / transport errors switch to the next
 * model at once; timeouts retry the same model with backoff (±25% jitter, 30 s cap, a 429's
 * `retry-after` honoured) up to `maxAttempts`, then switch. With no next model, every retryable
 * failure retries with backoff up to `maxAttempts`. After output nothing is retried: the stream
 * ends with `error` + `afterOutput: true`. Each failover and retry is one `warn` log line.
 */
export function createModelClient(options: CreateModelClientOptions): ModelClient {
  const { resolution } = options;
  if (resolution.state === "none") return createNoModelClient(resolution.reason);
  if (resolution.state === "invalid") {
    throw new TypeError(
      `createModelClient: invalid model configuration (${resolution.key}): ${resolution.message}`,
    );
  }
  const roles = resolution.roles;
  const registry = options.registry ?? createProviderRegistry();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 3;
  const { logger } = options;
  const firstTokenMs = options.config.Session.FirstTokenTimeoutSeconds * 1000;
  const idleMs = options.config.Session.IdleTimeoutSeconds * 1000;
  const contextWindow = createContextWindowResolver({
    registry,
    fetch: fetchImpl,
    now: options.now ?? Date.now,
    ...(options.contextDetectionTimeoutMs === undefined
      ? {}
      : { timeoutMs: options.contextDetectionTimeoutMs }),
  });

  let ai: Promise<AiModule> | undefined;
  const loadAi = () => {
    ai ??= import("ai").then((module) => {
      // The SDK prints warnings to the console by default; the daemon's log is the place.
      const global = globalThis as { AI_SDK_LOG_WARNINGS?: unknown };
      global.AI_SDK_LOG_WARNINGS ??= (warning: object) => logger.debug({ warning }, "AI SDK warning");
      return module;
    });
    return ai;
  };
  const providerOf = (model: ResolvedModel): ProviderConfig => options.config.Providers[model.provider] ?? {};
  const models = new Map<string, Promise<LanguageModel>>();
  const languageModel = (model: ResolvedModel): Promise<LanguageModel> => {
    const key = `${model.provider}\u0000${model.modelId}`;
    let created = models.get(key);
    if (created === undefined) {
      created = registry.get(model.providerType).createModel({
        name: model.provider,
        provider: providerOf(model),
        modelId: model.modelId,
        fetch: fetchImpl,
      });
      created.catch(() => models.delete(key));
      models.set(key, created);
    }
    return created;
  };

  /** Last line of defence for "never throws": an unexpected exception becomes the terminal event. */
  async function* stream(request: ModelRequest): AsyncGenerator<ModelEvent> {
    const state = { started: false };
    try {
      yield* failover(request, state);
    } catch (error) {
      const aborted = request.signal.aborted;
      yield {
        type: "error",
        error: {
          code: aborted ? "aborted" : "internal_error",
          message: aborted ? "The request was cancelled." : `Model client failure: ${String(error)}`,
          retryable: false,
        },
        afterOutput: state.started,
      };
    }
  }

  async function* failover(request: ModelRequest, state: { started: boolean }): AsyncGenerator<ModelEvent> {
    const candidates = [roles[request.role]];
    if (!same(roles.Fallback, roles[request.role])) candidates.push(roles.Fallback);
    let index = 0;
    let attempt = 0;
    for (;;) {
      if (request.signal.aborted) {
        yield {
          type: "error",
          error: { code: "aborted", message: "The request was cancelled.", retryable: false },
          afterOutput: false,
        };
        return;
      }
      const target = candidates[index] as ResolvedModel;
      const info = infoOf(target);
      const end = (error: ClassifiedError, afterOutput: boolean): ModelEvent => ({
        type: "error",
        error: toErrorInfo(error),
        afterOutput,
        model: info,
      });
      let module: AiModule;
      let model: LanguageModel;
      try {
        [module, model] = await Promise.all([loadAi(), languageModel(target)]);
      } catch (error) {
        const message = `Could not load the ${target.providerType} provider: ${error instanceof Error ? error.message : String(error)}`;
        yield end({ kind: "fatal", code: "provider_unavailable", message, retryable: false }, false);
        return;
      }
      attempt++;
      const providerOptions = registry.get(target.providerType).callOptions?.(providerOf(target));
      const reasoning = reasoningLevel(providerOf(target));
      const run = runAttempt({
        ai: module,
        model,
        request,
        timers,
        firstTokenMs,
        idleMs,
        ...(providerOptions === undefined ? {} : { providerOptions }),
        ...(reasoning === undefined ? {} : { reasoning }),
      });
      let step = await run.next();
      try {
        while (step.done !== true) {
          if (!state.started) {
            state.started = true;
            yield { type: "start", model: info };
          }
          yield step.value;
          step = await run.next();
        }
      } finally {
        // The consumer stopped reading mid-stream: close the attempt (timer, HTTP body) too.
        if (step.done !== true) await run.return({ ok: true, finishReason: "other" });
      }
      const outcome = step.value;
      if (outcome.ok) {
        if (!state.started) yield { type: "start", model: info };
        yield { type: "done", finishReason: outcome.finishReason, model: info };
        return;
      }
      const { error, afterOutput } = outcome;
      if (afterOutput || error.kind === "fatal" || error.kind === "aborted") {
        yield end(error, afterOutput);
        return;
      }
      const next = candidates[index + 1];
      const exhausted = attempt >= maxAttempts;
      if (next !== undefined && (error.kind === "failover" || exhausted)) {
        logger.warn(
          {
            role: request.role,
            from: info,
            to: infoOf(next),
            code: error.code,
            status: error.status,
            attempt,
          },
          `Model failover: ${info.provider}/${info.modelId} failed (${error.code}); switching to Fallback ${next.provider}/${next.modelId}`,
        );
        index++;
        attempt = 0;
        continue;
      }
      if (exhausted) {
        yield end(error, false);
        return;
      }
      const delay = Math.min(30_000, Math.max(backoffMs({ attempt, random }), error.retryAfterMs ?? 0));
      logger.warn(
        { role: request.role, model: info, code: error.code, attempt, delayMs: delay },
        `Model retry: ${info.provider}/${info.modelId} failed (${error.code}); attempt ${attempt + 1} of ${maxAttempts} in ${delay} ms`,
      );
      await sleep({ ms: delay, signal: request.signal, timers });
      if (request.signal.aborted) {
        yield end(
          { kind: "aborted", code: "aborted", message: "The request was cancelled.", retryable: false },
          false,
        );
        return;
      }
    }
  }

  return {
    configured: true,
    stream,
    contextWindow: (role: Role) => {
      const model = roles[role];
      return contextWindow({ model, provider: providerOf(model) });
    },
  };
}
