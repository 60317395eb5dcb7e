import { z } from "zod";
import { type PlannedToolCall, type ReplyPlan, reasoningTokens } from "../reply.ts";
import {
  contentFrame,
  controlFrame,
  endsWithToolResult,
  hasToolCalls,
  joined,
  lastUserText,
  parseWith,
} from "./common.ts";
import type { ChatProtocol, FakeModel, Frame, ReplyMeta } from "./types.ts";

/**
 * The chat-completions wire format, shared by OpenAI and OpenRouter. The differences between the
 * two vendors are data (a flavor), so the chunk sequence is written once.
 */
export type ChatFlavor = {
  id: "openai-chat" | "openrouter";
  vendor: "openai" | "openrouter";
  idPrefix: string;
  /** Extra top-level fields on every chunk and completion (`system_fingerprint`, `provider`). */
  extraFields: Record<string, unknown>;
  /** How a reasoning delta is spelled: `reasoning_content` (OpenAI-compatible servers) or OpenRouter's fields. */
  reasoningFields(text: string): Record<string, unknown>;
  /** OpenRouter sends usage whether or not `stream_options.include_usage` was asked for. */
  usageAlways: boolean;
  /** OpenRouter's keep-alive comment before the first chunk. */
  processingComment: boolean;
  /** OpenRouter repeats the raw upstream reason as `native_finish_reason`. */
  nativeFinishReason: boolean;
  usageExtraFields: Record<string, unknown>;
};

const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

function usageBody(plan: ReplyPlan, flavor: ChatFlavor): Record<string, unknown> {
  return {
    prompt_tokens: plan.usage.input,
    completion_tokens: plan.usage.output,
    total_tokens: plan.usage.input + plan.usage.output,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoningTokens(plan) },
    ...flavor.usageExtraFields,
  };
}

function toolCallId(meta: ReplyMeta, call: PlannedToolCall): string {
  return call.id ?? `call_fake${meta.seq}_${call.index}`;
}

function finishReason(plan: ReplyPlan): string {
  return hasToolCalls(plan) ? "tool_calls" : "stop";
}

const streamFramesOf =
  (flavor: ChatFlavor): ChatProtocol["streamFrames"] =>
  (plan, meta) => {
    const base = {
      id: `${flavor.idPrefix}${meta.seq}`,
      object: "chat.completion.chunk",
      created: meta.createdSeconds,
      model: meta.model,
      ...flavor.extraFields,
    };
    const nullUsage = meta.includeUsage && !flavor.usageAlways ? { usage: null } : {};
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...base,
      choices: [
        {
          index: 0,
          delta,
          logprobs: null,
          finish_reason: finish,
          ...(flavor.nativeFinishReason ? { native_finish_reason: finish } : {}),
        },
      ],
      ...nullUsage,
    });
    const frames: Frame[] = [];
    if (flavor.processingComment) frames.push({ comment: "OPENROUTER PROCESSING" });
    frames.push(controlFrame(chunk({ role: "assistant", content: "" }, null)));
    for (const piece of plan.thinking) frames.push(contentFrame(chunk(flavor.reasoningFields(piece), null)));
    for (const piece of plan.text) frames.push(contentFrame(chunk({ content: piece }, null)));
    for (const call of plan.toolCalls) {
      const id = toolCallId(meta, call);
      frames.push(
        contentFrame(
          chunk(
            {
              tool_calls: [
                { index: call.index, id, type: "function", function: { name: call.name, arguments: "" } },
              ],
            },
            null,
          ),
        ),
      );
      for (const piece of call.argumentChunks) {
        frames.push(
          contentFrame(chunk({ tool_calls: [{ index: call.index, function: { arguments: piece } }] }, null)),
        );
      }
    }
    frames.push(controlFrame(chunk({}, finishReason(plan))));
    if (meta.includeUsage || flavor.usageAlways) {
      frames.push(controlFrame({ ...base, choices: [], usage: usageBody(plan, flavor) }));
    }
    frames.push({ data: "[DONE]" });
    return frames;
  };

const completionOf =
  (flavor: ChatFlavor): ChatProtocol["completion"] =>
  (plan, meta) => {
    const text = joined(plan.text);
    const message: Record<string, unknown> = {
      role: "assistant",
      content: text === "" && hasToolCalls(plan) ? null : text,
      refusal: null,
      ...(plan.thinking.length > 0 ? flavor.reasoningFields(joined(plan.thinking)) : {}),
    };
    if (hasToolCalls(plan)) {
      message["tool_calls"] = plan.toolCalls.map((call) => ({
        id: toolCallId(meta, call),
        type: "function",
        function: { name: call.name, arguments: call.argumentsJson },
      }));
    }
    const finish = finishReason(plan);
    return {
      id: `${flavor.idPrefix}${meta.seq}`,
      object: "chat.completion",
      created: meta.createdSeconds,
      model: meta.model,
      ...flavor.extraFields,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: finish,
          ...(flavor.nativeFinishReason ? { native_finish_reason: finish } : {}),
        },
      ],
      usage: usageBody(plan, flavor),
    };
  };

/**
 * OpenAI puts a bare `{ error }` object on the stream; OpenRouter keeps the chunk envelope and ends
 * the choice with `finish_reason: "error"`.
 */
const streamErrorFrameOf =
  (flavor: ChatFlavor): ChatProtocol["streamErrorFrame"] =>
  (error, meta) => {
    const message = error.message ?? "The server had an error while processing your request.";
    if (flavor.vendor === "openai") {
      return controlFrame({
        error: { message, type: error.type ?? "server_error", param: null, code: null },
      });
    }
    return controlFrame({
      id: `${flavor.idPrefix}${meta.seq}`,
      object: "chat.completion.chunk",
      created: meta.createdSeconds,
      model: meta.model,
      ...flavor.extraFields,
      error: {
        code: 502,
        message,
        ...(error.type === undefined ? {} : { metadata: { error_type: error.type } }),
      },
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error", native_finish_reason: "error" }],
    });
  };

export function createChatCompletionsProtocol(flavor: ChatFlavor): ChatProtocol {
  return {
    id: flavor.id,
    vendor: flavor.vendor,
    encoding: "sse",
    parseRequest: parseWith(chatBodySchema, (value) => ({
      model: value.model,
      stream: value.stream === true,
      includeUsage: value.stream_options?.include_usage === true,
      lastUserText: lastUserText(value.messages),
      endsWithToolResult: endsWithToolResult(value.messages),
    })),
    streamFrames: streamFramesOf(flavor),
    streamErrorFrame: streamErrorFrameOf(flavor),
    completion: completionOf(flavor),
  };
}

export const openaiChatProtocol = createChatCompletionsProtocol({
  id: "openai-chat",
  vendor: "openai",
  idPrefix: "chatcmpl-fake",
  extraFields: { system_fingerprint: "fp_fake" },
  reasoningFields: (text) => ({ reasoning_content: text }),
  usageAlways: false,
  processingComment: false,
  nativeFinishReason: false,
  usageExtraFields: {},
});

/** `GET /v1/models` in OpenAI's shape. */
export function openaiModels(models: readonly FakeModel[]): unknown {
  return {
    object: "list",
    data: models.map((model) => ({
      id: model.id,
      object: "model",
      created: 1700000000,
      owned_by: "netclaw-fake",
    })),
  };
}
