import { z } from "zod";
import { type ReplyPlan, reasoningTokens } from "../reply.ts";
import { contentFrame, controlFrame, endsWithToolResult, joined, lastUserText, parseWith } from "./common.ts";
import type { ChatProtocol, Frame, ReplyMeta } from "./types.ts";

/**
 * OpenAI's Responses API (`POST /v1/responses`), which `@ai-sdk/openai` uses for `openai(modelId)`.
 * Streams are named SSE events, each with a `sequence_number`; there is no `[DONE]`.
 */
const responsesBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(
      z.looseObject({
        role: z.string().optional(),
        type: z.string().optional(),
        content: z.unknown().optional(),
      }),
    ),
  ]),
  stream: z.boolean().nullish(),
});

type OutputItem = Record<string, unknown>;

function usageBody(plan: ReplyPlan): Record<string, unknown> {
  return {
    input_tokens: plan.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.usage.output,
    output_tokens_details: { reasoning_tokens: reasoningTokens(plan) },
    total_tokens: plan.usage.input + plan.usage.output,
  };
}

function responseObject(options: {
  meta: ReplyMeta;
  status: string;
  output: OutputItem[];
  usage: Record<string, unknown> | null;
}): Record<string, unknown> {
  return {
    id: `resp_fake${options.meta.seq}`,
    object: "response",
    created_at: options.meta.createdSeconds,
    status: options.status,
    error: null,
    incomplete_details: null,
    model: options.meta.model,
    output: options.output,
    parallel_tool_calls: true,
    store: true,
    usage: options.usage,
  };
}

function reasoningItem(meta: ReplyMeta, text: string): OutputItem {
  return { id: `rs_fake${meta.seq}`, type: "reasoning", summary: [{ type: "summary_text", text }] };
}

function messageItem(meta: ReplyMeta, text: string): OutputItem {
  return {
    id: `msg_fake${meta.seq}`,
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", annotations: [], logprobs: [], text }],
  };
}

function functionCallItems(plan: ReplyPlan, meta: ReplyMeta): OutputItem[] {
  return plan.toolCalls.map((call) => ({
    id: `fc_fake${meta.seq}_${call.index}`,
    type: "function_call",
    status: "completed",
    arguments: call.argumentsJson,
    call_id: call.id ?? `call_fake${meta.seq}_${call.index}`,
    name: call.name,
  }));
}

/** All output items of the finished response, in stream order. */
function outputItems(plan: ReplyPlan, meta: ReplyMeta): OutputItem[] {
  const items: OutputItem[] = [];
  if (plan.thinking.length > 0) items.push(reasoningItem(meta, joined(plan.thinking)));
  if (plan.text.length > 0) items.push(messageItem(meta, joined(plan.text)));
  items.push(...functionCallItems(plan, meta));
  return items;
}

function streamFrames(plan: ReplyPlan, meta: ReplyMeta): Frame[] {
  const frames: Frame[] = [];
  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>, content = false) => {
    const value = { type, sequence_number: sequence++, ...fields };
    frames.push(content ? contentFrame(value, type) : controlFrame(value, type));
  };
  const inProgress = responseObject({ meta, status: "in_progress", output: [], usage: null });
  emit("response.created", { response: inProgress });
  emit("response.in_progress", { response: inProgress });
  const items = outputItems(plan, meta);
  items.forEach((item, outputIndex) => {
    const itemId = item["id"];
    const at = { item_id: itemId, output_index: outputIndex };
    if (item["type"] === "reasoning") {
      const text = joined(plan.thinking);
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, summary: [] } });
      emit("response.reasoning_summary_part.added", {
        ...at,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
      for (const delta of plan.thinking) {
        emit("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta }, true);
      }
      emit("response.reasoning_summary_text.done", { ...at, summary_index: 0, text });
      emit("response.reasoning_summary_part.done", {
        ...at,
        summary_index: 0,
        part: { type: "summary_text", text },
      });
    } else if (item["type"] === "message") {
      const text = joined(plan.text);
      const part = { type: "output_text", annotations: [], logprobs: [] };
      emit("response.output_item.added", {
        output_index: outputIndex,
        item: { ...item, status: "in_progress", content: [] },
      });
      emit("response.content_part.added", { ...at, content_index: 0, part: { ...part, text: "" } });
      for (const delta of plan.text) {
        emit("response.output_text.delta", { ...at, content_index: 0, delta, logprobs: [] }, true);
      }
      emit("response.output_text.done", { ...at, content_index: 0, text, logprobs: [] });
      emit("response.content_part.done", { ...at, content_index: 0, part: { ...part, text } });
    } else {
      const call = plan.toolCalls.find((candidate) => `fc_fake${meta.seq}_${candidate.index}` === itemId);
      emit(
        "response.output_item.added",
        { output_index: outputIndex, item: { ...item, status: "in_progress", arguments: "" } },
        true,
      );
      for (const delta of call?.argumentChunks ?? []) {
        emit("response.function_call_arguments.delta", { ...at, delta }, true);
      }
      emit("response.function_call_arguments.done", { ...at, arguments: item["arguments"] });
    }
    emit("response.output_item.done", { output_index: outputIndex, item });
  });
  emit("response.completed", {
    response: responseObject({ meta, status: "completed", output: items, usage: usageBody(plan) }),
  });
  return frames;
}

export const openaiResponsesProtocol: ChatProtocol = {
  id: "openai-responses",
  vendor: "openai",
  encoding: "sse",
  parseRequest: parseWith(responsesBodySchema, (value) => ({
    model: value.model,
    stream: value.stream === true,
    includeUsage: true,
    lastUserText: typeof value.input === "string" ? value.input : lastUserText(value.input),
    endsWithToolResult: typeof value.input !== "string" && endsWithToolResult(value.input),
  })),
  streamFrames,
  streamErrorFrame: (error) =>
    controlFrame(
      {
        type: "error",
        sequence_number: 0,
        code: error.type ?? "server_error",
        message: error.message ?? "The server had an error while processing your request.",
        param: null,
      },
      "error",
    ),
  completion: (plan, meta) =>
    responseObject({ meta, status: "completed", output: outputItems(plan, meta), usage: usageBody(plan) }),
};
