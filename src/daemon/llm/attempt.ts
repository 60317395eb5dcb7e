import type { LanguageModel } from "ai";
import { toolNameFromWire, toPrompt, toToolSet } from "./convert.ts";
import { type ClassifiedError, classifyError } from "./errors.ts";
import type { ModelEvent, ModelRequest } from "./model-client.ts";
import type { CallProviderOptions, ReasoningLevel } from "./providers/types.ts";
import type { Timers } from "./timers.ts";
import { createWatchdog, type WatchdogPhase } from "./watchdog.ts";

type AiModule = typeof import("ai");

export type FinishReason = Extract<ModelEvent, { type: "done" }>["finishReason"];

export type AttemptOutcome =
  | { ok: true; finishReason: FinishReason }
  | { ok: false; error: ClassifiedError; afterOutput: boolean };

export type AttemptOptions = {
  ai: AiModule;
  model: LanguageModel;
  request: ModelRequest;
  timers: Timers;
  firstTokenMs: number;
  idleMs: number;
  providerOptions?: CallProviderOptions;
  reasoning?: ReasoningLevel;
};

/** Content events an attempt yields; the client adds `start`, `done` and `error` around them. */
export type AttemptEvent = Extract<
  ModelEvent,
  { type: "text_delta" | "thinking_delta" | "tool_call" | "usage" }
>;

function finishReason(reason: string): FinishReason {
  if (reason === "stop" || reason === "length") return reason;
  return reason === "tool-calls" ? "tool_calls" : "other";
}

function timeoutError(which: "first_token" | "idle", ms: number): ClassifiedError {
  const seconds = Math.round(ms / 100) / 10;
  const message =
    which === "first_token"
      ? `The model sent nothing within ${seconds} s (Session.FirstTokenTimeoutSeconds).`
      : `The model stopped streaming for ${seconds} s (Session.IdleTimeoutSeconds).`;
  return { kind: "timeout", code: `${which}_timeout`, message, retryable: true };
}

/**
 * One `streamText` call against one model. Yields content as it arrives and *returns* how the
 * attempt ended; it never throws. Timeouts come from the watchdog, paused while the consumer holds
 * a yielded event so a slow reader is not mistaken for a silent vendor.
 */
export async function* runAttempt(options: AttemptOptions): AsyncGenerator<AttemptEvent, AttemptOutcome> {
  const { ai, model, request, timers, firstTokenMs, idleMs, providerOptions, reasoning } = options;
  const controller = new AbortController();
  let timedOut: WatchdogPhase | undefined;
  const watchdog = createWatchdog({
    timers,
    firstTokenMs,
    idleMs,
    onTimeout: (phase) => {
      timedOut = phase;
      controller.abort();
    },
  });
  let afterOutput = false;
  let settled = false;
  let failure: unknown;
  let finished: FinishReason | undefined;

  try {
    const prompt = toPrompt(request.messages);
    const result = ai.streamText({
      model,
      ...(prompt.instructions.length === 0 ? {} : { instructions: prompt.instructions }),
      messages: prompt.messages,
      allowSystemInMessages: true,
      ...(request.tools === undefined || request.tools.length === 0
        ? {}
        : { tools: toToolSet({ ai, tools: request.tools }) }),
      ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
      ...(providerOptions === undefined ? {} : { providerOptions }),
      ...(reasoning === undefined ? {} : { reasoning: reasoning === "off" ? "none" : reasoning }),
      maxRetries: 0,
      abortSignal: AbortSignal.any([request.signal, controller.signal]),
      onError: () => {},
    });
    for await (const part of result.fullStream) {
      let event: AttemptEvent | undefined;
      switch (part.type) {
        case "text-delta":
          if (part.text !== "") event = { type: "text_delta", text: part.text };
          break;
        case "reasoning-delta":
          if (part.text !== "") event = { type: "thinking_delta", text: part.text };
          break;
        case "tool-input-start":
        case "tool-input-delta":
          watchdog.activity(true);
          break;
        case "tool-call":
          event = {
            type: "tool_call",
            call: {
              id: part.toolCallId,
              name: toolNameFromWire({ wire: part.toolName, tools: request.tools }),
              arguments: part.input,
            },
          };
          break;
        case "finish":
          finished = finishReason(part.finishReason);
          if (finished !== undefined && part.finishReason === "error" && failure === undefined) {
            failure = new Error("The model ended its answer with an error.");
          }
          event = {
            type: "usage",
            inputTokens: part.totalUsage.inputTokens ?? 0,
            outputTokens: part.totalUsage.outputTokens ?? 0,
          };
          break;
        case "error":
          failure ??= part.error;
          break;
        default:
          break;
      }
      if (failure !== undefined) break;
      const output = event !== undefined && event.type !== "usage";
      watchdog.activity(output);
      if (event === undefined) continue;
      afterOutput ||= output;
      watchdog.pause();
      yield event;
      watchdog.resume();
    }
    settled = true;
  } catch (error) {
    failure ??= error;
    settled = true;
  } finally {
    watchdog.stop();
    // Not settled means the consumer stopped reading (the generator was returned at a yield). The
    // SDK does not cancel the HTTP request when its stream is dropped, so abort it. Settled
    // attempts are left alone: aborting after an error part would reject promises inside some
    // providers that nobody awaits any more.
    if (!settled) controller.abort();
  }

  if (request.signal.aborted) {
    return { ok: false, afterOutput, error: { ...classifyError({ name: "AbortError" }) } };
  }
  if (timedOut !== undefined) {
    return {
      ok: false,
      afterOutput,
      error: timeoutError(timedOut, timedOut === "idle" ? idleMs : firstTokenMs),
    };
  }
  if (failure !== undefined) return { ok: false, afterOutput, error: classifyError(failure) };
  if (finished === undefined) {
    const error = classifyError(new Error("The model's stream ended without a finish."));
    return {
      ok: false,
      afterOutput,
      error: { ...error, code: "transport", kind: "failover", retryable: true },
    };
  }
  return { ok: true, finishReason: finished };
}
