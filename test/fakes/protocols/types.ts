import type { IncomingHttpHeaders } from "node:http";
import type { ReplyPlan, StreamErrorSpec } from "../reply.ts";

/** One chat endpoint of one vendor. */
export type ProtocolId = "openai-chat" | "openai-responses" | "anthropic" | "ollama" | "openrouter";

/** Vendors as far as credentials and error shapes go (chat and responses share OpenAI's). */
export type VendorId = "openai" | "anthropic" | "ollama" | "openrouter";

/**
 * One wire unit of a stream: an SSE event (optionally named), an SSE comment, or one NDJSON line.
 * `content` marks frames that carry model output; delays and `disconnectAfterChunks` count them.
 */
export type Frame = { event?: string; data?: string; comment?: string; content?: boolean };

/** A model the fake advertises on its listing endpoints. */
export type FakeModel = {
  id: string;
  /** Context window in tokens (default 131072). */
  contextLength?: number;
  /** Ollama capabilities (default `["completion", "tools"]`). */
  capabilities?: string[];
  /** Ollama architecture / family, the prefix of `<arch>.context_length` (default `llama`). */
  family?: string;
};

/** The fields of a chat request the fake acts on; the full body is in the request log. */
export type ChatRequest = {
  model: string;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  lastUserText: string;
  /** The last message is a tool result (see `endsWithToolResult`). */
  endsWithToolResult: boolean;
};

/** Identity of one answer: ids derive from the request's sequence number, so runs are repeatable. */
export type ReplyMeta = { seq: number; model: string; createdSeconds: number; includeUsage: boolean };

export type ParseResult = { ok: true; request: ChatRequest } | { ok: false; message: string };

export type ChatProtocol = {
  id: ProtocolId;
  vendor: VendorId;
  encoding: "sse" | "ndjson";
  /** Validates the parsed JSON body; `message` becomes a 400 in the vendor's error shape. */
  parseRequest(body: unknown): ParseResult;
  streamFrames(plan: ReplyPlan, meta: ReplyMeta): Frame[];
  /** The vendor's in-stream error event; the stream ends after it. */
  streamErrorFrame(error: StreamErrorSpec, meta: ReplyMeta): Frame;
  /** The non-streaming response body. */
  completion(plan: ReplyPlan, meta: ReplyMeta): unknown;
};

export type HttpReply = { status: number; body: unknown; headers?: Record<string, string> };

export type Headers = IncomingHttpHeaders;

export const DEFAULT_CONTEXT_LENGTH = 131072;
