import { z } from "zod";
import type { PlannedToolCall, ReplyPlan } from "../reply.ts";
import {
  contentFrame,
  controlFrame,
  endsWithToolResult,
  hasToolCalls,
  joined,
  lastUserText,
  parseWith,
} from "./common.ts";
import { anthropicErrorType } from "./errors.ts";
import type { ChatProtocol, FakeModel, Frame, ReplyMeta } from "./types.ts";

/**
 * Anthropic Messages (`POST /v1/messages`): named SSE events, one content block per thinking,
 * text and tool_use part, usage split between `message_start` (input) and `message_delta` (output).
 */
const messagesBodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content: z.unknown() })).min(1),
  stream: z.boolean().nullish(),
});

/** A deterministic stand-in for the opaque signature Anthropic puts on thinking blocks. */
function signature(meta: ReplyMeta): string {
  return Buffer.from(`netclaw-fake-signature-${meta.seq}`).toString("base64");
}

function toolUseId(meta: ReplyMeta, call: PlannedToolCall): string {
  return call.id ?? `toolu_fake${meta.seq}_${call.index}`;
}

function stopReason(plan: ReplyPlan): string {
  return hasToolCalls(plan) ? "tool_use" : "end_turn";
}

function startUsage(plan: ReplyPlan) {
  return { input_tokens: plan.usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function streamFrames(plan: ReplyPlan, meta: ReplyMeta): Frame[] {
  const frames: Frame[] = [];
  const emit = (value: { type: string } & Record<string, unknown>, content = false) => {
    frames.push(content ? contentFrame(value, value.type) : controlFrame(value, value.type));
  };
  emit({
    type: "message_start",
    message: {
      id: `msg_fake${meta.seq}`,
      type: "message",
      role: "assistant",
      content: [],
      model: meta.model,
      stop_reason: null,
      stop_sequence: null,
      usage: { ...startUsage(plan), output_tokens: 1 },
    },
  });
  emit({ type: "ping" });
  let index = 0;
  if (plan.thinking.length > 0) {
    emit({
      type: "content_block_start",
      index,
      content_block: { type: "thinking", thinking: "", signature: "" },
    });
    for (const thinking of plan.thinking) {
      emit({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } }, true);
    }
    emit({
      type: "content_block_delta",
      index,
      delta: { type: "signature_delta", signature: signature(meta) },
    });
    emit({ type: "content_block_stop", index });
    index++;
  }
  if (plan.text.length > 0) {
    emit({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
    for (const text of plan.text)
      emit({ type: "content_block_delta", index, delta: { type: "text_delta", text } }, true);
    emit({ type: "content_block_stop", index });
    index++;
  }
  for (const call of plan.toolCalls) {
    emit(
      {
        type: "content_block_start",
        index,
        content_block: {
          type: "tool_use",
          id: toolUseId(meta, call),
          name: call.name,
          input: {},
        },
      },
      true,
    );
    for (const partial_json of call.argumentChunks) {
      emit({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }, true);
    }
    emit({ type: "content_block_stop", index });
    index++;
  }
  emit({
    type: "message_delta",
    delta: { stop_reason: stopReason(plan), stop_sequence: null },
    usage: { output_tokens: plan.usage.output },
  });
  emit({ type: "message_stop" });
  return frames;
}

function completion(plan: ReplyPlan, meta: ReplyMeta): unknown {
  const content: Record<string, unknown>[] = [];
  if (plan.thinking.length > 0) {
    content.push({ type: "thinking", thinking: joined(plan.thinking), signature: signature(meta) });
  }
  if (plan.text.length > 0) content.push({ type: "text", text: joined(plan.text) });
  for (const call of plan.toolCalls) {
    content.push({
      type: "tool_use",
      id: toolUseId(meta, call),
      name: call.name,
      input: call.arguments,
    });
  }
  return {
    id: `msg_fake${meta.seq}`,
    type: "message",
    role: "assistant",
    model: meta.model,
    content,
    stop_reason: stopReason(plan),
    stop_sequence: null,
    usage: { ...startUsage(plan), output_tokens: plan.usage.output },
  };
}

export const anthropicProtocol: ChatProtocol = {
  id: "anthropic",
  vendor: "anthropic",
  encoding: "sse",
  parseRequest: parseWith(messagesBodySchema, (value) => ({
    model: value.model,
    stream: value.stream === true,
    includeUsage: true,
    lastUserText: lastUserText(value.messages),
    endsWithToolResult: endsWithToolResult(value.messages),
  })),
  streamFrames,
  streamErrorFrame: (error) => {
    const type = error.type ?? anthropicErrorType(529);
    return controlFrame({ type: "error", error: { type, message: error.message ?? "Overloaded" } }, "error");
  },
  completion,
};

/** `GET /v1/models` in Anthropic's shape (chosen when the request carries `anthropic-version`). */
export function anthropicModels(models: readonly FakeModel[]): unknown {
  return {
    data: models.map((model) => ({
      type: "model",
      id: model.id,
      display_name: model.id,
      created_at: "2025-01-01T00:00:00Z",
    })),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models.at(-1)?.id ?? null,
  };
}
