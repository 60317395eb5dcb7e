import type { ChatMessage } from "../llm/model-client.ts";
import {
  type ModelClient,
  type ModelInfo,
  NO_MODEL_MESSAGE,
  type ToolCallRequest,
} from "../llm/model-client.ts";
import type { EventDraft } from "./event-draft.ts";
import { CANCELLED_TOOL_RESULT, type ToolDispatcher } from "./tool-dispatcher.ts";

export type TurnStatus = "completed" | "cancelled" | "failed" | "interrupted";

/** Abort reason the engine uses when the daemon shuts down: the turn ends `interrupted`. */
export const SHUTDOWN_REASON = "netclaw:shutdown";

/** The notice every turn gets without a model: NO_MODEL_MESSAGE plus the commands that fix it. */
export const NO_MODEL_ANSWER = `${NO_MODEL_MESSAGE}
Configure a model, then restart the daemon (\`netclaw daemon stop && netclaw daemon start\`):
  netclaw init
or set the environment variables
  NETCLAW_Providers__<name>__Type=<ollama|openai|anthropic|openrouter|openai-compatible>
  NETCLAW_Providers__<name>__ApiKey=<key>
  NETCLAW_Models__Main__Provider=<name>
  NETCLAW_Models__Main__ModelId=<model id>`;

export type RunTurnOptions = {
  sessionId: string;
  model: ModelClient;
  dispatcher: ToolDispatcher;
  /** The full request messages for the next model call, built from the current history. */
  buildMessages: () => ChatMessage[];
  /** Appends an event to the session (and, through it, to the history `buildMessages` reads). */
  emit: (draft: EventDraft) => void;
  signal: AbortSignal;
  maxToolCalls: number;
  contextWindow: number;
  newId: () => string;
  /**
   * Called when the model refused the prompt as too long (`context_overflow`) before any output:
   * compacts the history; true means the request is worth retrying (once per turn).
   */
  compact?: () => Promise<boolean>;
  /** Who sent this turn's messages; only they may answer its approval prompts. */
  requester?: string;
  /** Tool calls of an earlier response to run before the first model call (pending approvals after a restart). */
  resumeCalls?: ToolCallRequest[];
};

export type TurnOutcome = { status: TurnStatus; inputTokens?: number };

type Response = {
  responseId: string;
  text: string;
  thinking: string;
  calls: ToolCallRequest[];
  usage?: { inputTokens: number; outputTokens: number };
  model?: ModelInfo;
  error?: { code: string; message: string };
};

const stopped = (signal: AbortSignal): TurnStatus =>
  signal.reason === SHUTDOWN_REASON ? "interrupted" : "cancelled";

/**
 * One turn: stream a response, store it, run its tool calls through the dispatcher, feed the
 * results back, and repeat until the model answers without tools. Never throws for model or
 * tool failures — they become `error` events and the returned status. Partial text of a
 * cancelled or failed response is stored with `partial` set.
 */
export async function runTurn(options: RunTurnOptions): Promise<TurnOutcome> {
  const { emit, signal } = options;
  if (!options.model.configured) {
    emit({ type: "text", responseId: options.newId(), text: NO_MODEL_ANSWER });
    return { status: "completed" };
  }
  let toolCalls = 0;
  let inputTokens: number | undefined;
  let compacted = false;
  if (options.resumeCalls && options.resumeCalls.length > 0) {
    await runCalls(options, options.resumeCalls);
    if (signal.aborted) return { status: stopped(signal) };
  }
  for (;;) {
    const response = await streamResponse(options);
    if (
      response.error?.code === "context_overflow" &&
      !compacted &&
      !signal.aborted &&
      !response.text &&
      response.calls.length === 0 &&
      options.compact
    ) {
      compacted = true;
      if (await options.compact()) continue;
    }
    if (response.usage) inputTokens = response.usage.inputTokens;
    const failed = response.error !== undefined && !signal.aborted;
    const partial = signal.aborted
      ? (stopped(signal) as "cancelled" | "interrupted")
      : failed
        ? "failed"
        : undefined;
    if (response.thinking)
      emit({ type: "thinking", responseId: response.responseId, text: response.thinking });
    if (response.text || (response.calls.length === 0 && !response.error)) {
      emit({
        type: "text",
        responseId: response.responseId,
        text: response.text,
        ...(partial ? { partial } : {}),
      });
    }
    if (response.usage) emitUsage({ options, usage: response.usage, model: response.model });
    if (signal.aborted || failed) {
      closeCalls({ emit, calls: response.calls, result: CANCELLED_TOOL_RESULT });
      if (failed) emit({ type: "error", code: response.error!.code, errorMessage: response.error!.message });
      return { status: failed ? "failed" : stopped(signal), inputTokens };
    }
    if (response.calls.length === 0) return { status: "completed", inputTokens };

    toolCalls += response.calls.length;
    if (toolCalls > options.maxToolCalls) {
      closeCalls({
        emit,
        calls: response.calls,
        result: "Not run: the per-turn tool call limit was reached.",
      });
      emit({
        type: "error",
        code: "tool_call_limit",
        errorMessage: `The turn stopped after ${options.maxToolCalls} tool calls (Session.MaxToolCallsPerTurn). Send a message to continue, or raise the limit.`,
      });
      return { status: "failed", inputTokens };
    }
    await runCalls(options, response.calls);
    if (signal.aborted) return { status: stopped(signal), inputTokens };
  }
}

/** Runs the calls of one response in parallel; each records its result as soon as it finishes. */
async function runCalls(options: RunTurnOptions, calls: ToolCallRequest[]): Promise<void> {
  const { emit, signal, dispatcher } = options;
  await Promise.all(
    calls.map(async (call) => {
      const outcome = await dispatcher.dispatch(call, {
        sessionId: options.sessionId,
        signal,
        ...(options.requester === undefined ? {} : { requester: options.requester }),
        requestApproval: (request) =>
          emit({
            type: "approval_requested",
            callId: call.id,
            toolName: call.name,
            argumentsJson: argumentsJson(dispatcher, call),
            ...request,
          }),
        resolveApproval: (decision) => emit({ type: "approval_resolved", callId: call.id, decision }),
      });
      if (outcome.deferred) return;
      if (outcome.attachment) emit({ type: "attachment", callId: call.id, ...outcome.attachment });
      emit({ type: "tool_result", callId: call.id, toolName: call.name, ...outcomeFields(outcome) });
    }),
  );
}

function argumentsJson(dispatcher: ToolDispatcher, call: ToolCallRequest): string {
  const json = JSON.stringify(call.arguments ?? {});
  return dispatcher.redactArguments ? dispatcher.redactArguments(json) : json;
}

function outcomeFields(outcome: { result: string; isError: boolean; denied?: string | undefined }) {
  return {
    result: outcome.result,
    isError: outcome.isError,
    ...(outcome.denied === undefined ? {} : { denied: outcome.denied }),
  };
}

async function streamResponse(options: RunTurnOptions): Promise<Response> {
  const response: Response = { responseId: options.newId(), text: "", thinking: "", calls: [] };
  const { emit } = options;
  try {
    const stream = options.model.stream({
      role: "Main",
      messages: options.buildMessages(),
      tools: options.dispatcher.definitions({ requester: options.requester }),
      signal: options.signal,
    });
    for await (const event of stream) {
      switch (event.type) {
        case "start":
          response.model = event.model;
          break;
        case "text_delta":
          response.text += event.text;
          emit({ type: "text_delta", responseId: response.responseId, text: event.text });
          break;
        case "thinking_delta":
          response.thinking += event.text;
          emit({ type: "thinking_delta", responseId: response.responseId, text: event.text });
          break;
        case "tool_call":
          response.calls.push(event.call);
          emit({
            type: "tool_call",
            responseId: response.responseId,
            callId: event.call.id,
            toolName: event.call.name,
            argumentsJson: argumentsJson(options.dispatcher, event.call),
          });
          break;
        case "usage":
          response.usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
          break;
        case "done":
          response.model = event.model;
          return response;
        case "error":
          response.model = event.model ?? response.model;
          response.error = { code: event.error.code, message: event.error.message };
          return response;
      }
    }
    response.error = { code: "model_stream_ended", message: "The model stream ended without a result." };
  } catch (error) {
    // The ModelClient contract says it never throws; a broken implementation must not kill the turn.
    response.error = { code: "model_client_failed", message: (error as Error).message };
  }
  return response;
}

function emitUsage(options: {
  options: RunTurnOptions;
  usage: { inputTokens: number; outputTokens: number };
  model: ModelInfo | undefined;
}) {
  const { usage } = options;
  const window = options.options.contextWindow;
  options.options.emit({
    type: "usage",
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.inputTokens + usage.outputTokens,
    contextWindowTokens: window,
    usagePercent: window > 0 ? Math.round((usage.inputTokens / window) * 1000) / 10 : 0,
    provider: options.model?.provider ?? "",
    modelId: options.model?.modelId ?? "",
  });
}

function closeCalls(options: {
  emit: (draft: EventDraft) => void;
  calls: ToolCallRequest[];
  result: string;
}) {
  for (const call of options.calls) {
    options.emit({
      type: "tool_result",
      callId: call.id,
      toolName: call.name,
      result: options.result,
      isError: true,
    });
  }
}
