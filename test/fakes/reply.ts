import { z } from "zod";

/**
 * What one scripted model turn looks like, independent of the vendor protocol that will carry it.
 * The same schema validates replies posted to the standalone fake's control endpoint.
 */
const chunksSchema = z.union([z.string(), z.array(z.string())]);

const toolCallSchema = z.object({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
  /** Call id sent on the wire; a deterministic one is generated when absent. */
  id: z.string().min(1).optional(),
});

const httpFailureSchema = z.object({
  status: z.number().int().min(400).max(599),
  /** Sent verbatim (JSON-encoded unless a string) instead of the vendor's own error body. */
  body: z.unknown().optional(),
  /** Seconds, sent as the `retry-after` header. */
  retryAfter: z.number().nonnegative().optional(),
});

const streamErrorSchema = z.object({
  streamError: z.object({
    message: z.string().optional(),
    /** Vendor error type, e.g. Anthropic's `overloaded_error`. */
    type: z.string().optional(),
    /** Content chunks sent before the error event (default 1). */
    afterChunks: z.number().int().nonnegative().optional(),
  }),
});

const failureSchema = z.union([
  z.literal("hang"),
  z.literal("malformed"),
  httpFailureSchema,
  z.object({ disconnectAfterChunks: z.number().int().nonnegative() }),
  streamErrorSchema,
]);

export const replySchema = z.strictObject({
  text: chunksSchema.optional(),
  thinking: chunksSchema.optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  usage: z
    .object({ input: z.number().int().nonnegative(), output: z.number().int().nonnegative() })
    .optional(),
  /** Generate this many deterministic text tokens (one chunk each) after `text`. */
  tokens: z.number().int().nonnegative().optional(),
  firstTokenDelayMs: z.number().nonnegative().optional(),
  chunkDelayMs: z.number().nonnegative().optional(),
  failure: failureSchema.optional(),
});

export type Reply = z.infer<typeof replySchema>;
export type ToolCallSpec = z.infer<typeof toolCallSchema>;
export type ReplyFailure = z.infer<typeof failureSchema>;
export type HttpFailure = z.infer<typeof httpFailureSchema>;

/** A reply or a plain string (shorthand for `{ text }`). */
export type ReplyInput = Reply | string;

export type PlannedToolCall = {
  index: number;
  name: string;
  /** Explicit id from the reply, else undefined (each protocol generates its own style). */
  id: string | undefined;
  arguments: Record<string, unknown>;
  argumentsJson: string;
  /** `argumentsJson` split into several pieces, as vendors stream them. */
  argumentChunks: string[];
};

export type StreamErrorSpec = { message: string | undefined; type: string | undefined; afterChunks: number };

/** A reply normalized into the chunks every protocol renders. */
export type ReplyPlan = {
  thinking: string[];
  text: string[];
  toolCalls: PlannedToolCall[];
  usage: { input: number; output: number };
  firstTokenDelayMs: number;
  chunkDelayMs: number;
  disconnectAfterChunks: number | undefined;
  malformed: boolean;
  streamError: StreamErrorSpec | undefined;
};

const VOCABULARY = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"];

/** The `i`-th generated benchmark token: words from a fixed vocabulary, space-separated. */
export function generatedToken(i: number): string {
  const word = VOCABULARY[i % VOCABULARY.length] ?? "lorem";
  return i === 0 ? word : ` ${word}`;
}

/** The text the fake answers with when nothing was scripted. */
export function defaultReplyText(lastUserText: string): string {
  const trimmed = lastUserText.trim();
  return trimmed === "" ? "ok" : `echo: ${trimmed.slice(0, 200)}`;
}

/** Splits text into word-sized chunks (each keeps its trailing whitespace) so streams have several deltas. */
export function splitWords(text: string): string[] {
  const pieces = text.match(/\s*\S+\s*/g);
  return pieces === null ? (text === "" ? [] : [text]) : pieces;
}

function toChunks(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? splitWords(value) : value.filter((chunk) => chunk !== "");
}

/** Splits a JSON string into up to four pieces, cutting inside keys and values like real streams do. */
export function splitArguments(json: string): string[] {
  if (json.length <= 2) return [json];
  const size = Math.max(1, Math.ceil(json.length / 4));
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += size) pieces.push(json.slice(i, i + size));
  return pieces;
}

export function toReply(input: ReplyInput): Reply {
  return typeof input === "string" ? { text: input } : input;
}

/**
 * Normalizes a reply into chunks. `inputTokens` is the fake's estimate for the request, used when
 * the reply names no usage; output tokens default to the number of generated chunks.
 */
export function planReply(reply: Reply, inputTokens: number): ReplyPlan {
  const text = toChunks(reply.text);
  for (let i = 0; i < (reply.tokens ?? 0); i++) text.push(generatedToken(i));
  const thinking = toChunks(reply.thinking);
  const toolCalls = (reply.toolCalls ?? []).map((call, index): PlannedToolCall => {
    const argumentsJson = JSON.stringify(call.arguments);
    return {
      index,
      name: call.name,
      id: call.id,
      arguments: call.arguments,
      argumentsJson,
      argumentChunks: splitArguments(argumentsJson),
    };
  });
  const failure = reply.failure;
  const outputChunks =
    text.length + thinking.length + toolCalls.reduce((sum, call) => sum + call.argumentChunks.length, 0);
  return {
    thinking,
    text,
    toolCalls,
    usage: reply.usage ?? { input: inputTokens, output: outputChunks },
    firstTokenDelayMs: reply.firstTokenDelayMs ?? 0,
    chunkDelayMs: reply.chunkDelayMs ?? 0,
    disconnectAfterChunks:
      typeof failure === "object" && "disconnectAfterChunks" in failure
        ? failure.disconnectAfterChunks
        : undefined,
    malformed: failure === "malformed",
    streamError:
      typeof failure === "object" && "streamError" in failure
        ? {
            message: failure.streamError.message,
            type: failure.streamError.type,
            afterChunks: failure.streamError.afterChunks ?? 1,
          }
        : undefined,
  };
}

/** Reasoning tokens within `usage.output`, for vendors that report them separately. */
export function reasoningTokens(plan: ReplyPlan): number {
  return Math.min(plan.thinking.length, plan.usage.output);
}
