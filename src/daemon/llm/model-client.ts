import type { Role } from "../../config/models.ts";

/**
 * The one interface the agent loop uses to talk to any model (ARCHITECTURE.md §2): providers sit
 * behind it, translated through the Vercel AI SDK. Our loop — not the SDK — runs tools,
 * approvals and persistence, so a request carries tool *definitions* only and the stream
 * reports tool calls for the loop to dispatch.
 */

export type ToolCallRequest = { id: string; name: string; arguments: unknown };

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCallRequest[] }
  | { role: "tool"; toolCallId: string; toolName: string; content: string; isError?: boolean };

/** A tool as the model sees it: our own JSON Schema for the arguments. */
export type ToolDefinition = { name: string; description: string; parameters: Record<string, unknown> };

export type ModelRequest = {
  role: Role;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  signal: AbortSignal;
  maxOutputTokens?: number;
};

export type ModelErrorInfo = {
  code: string;
  message: string;
  /** HTTP status from the vendor, when there was one. */
  status?: number;
  retryable: boolean;
};

export type ModelInfo = { role: Role; provider: string; providerType: string; modelId: string };

export type ModelEvent =
  /**
   * Once per stream, just before the first content event (or before `done` of an empty answer):
   * the model that is answering — the Fallback's when failover happened. A stream that fails
   * before any output has no `start`; its `error` names the model instead.
   */
  | { type: "start"; model: ModelInfo }
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; text: string }
  | { type: "tool_call"; call: ToolCallRequest }
  | { type: "usage"; inputTokens: number; outputTokens: number }
  | { type: "done"; finishReason: "stop" | "tool_calls" | "length" | "other"; model: ModelInfo }
  /**
   * Terminal failure. `afterOutput` is true when text or tool calls were already streamed (no
   * failover happened then; the partial output stands). Aborts end with code `aborted`.
   */
  | { type: "error"; error: ModelErrorInfo; afterOutput: boolean; model?: ModelInfo };

export interface ModelClient {
  /**
   * Streams one model response. Never throws: every stream ends with exactly one `done` or
   * `error` event. Retries (timeouts) and failover to the Fallback role (429, 5xx, transport
   * errors) happen inside, and only before the first streamed chunk.
   */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
  /** Context window of the role's model: configured, else detected from the provider, else 32768. */
  contextWindow(role: Role): Promise<number>;
  /** Whether a real model is configured; when not, the loop answers with the no-model notice. */
  readonly configured: boolean;
}

/** The answer every turn gets while no model is configured (reference/agent.md §1). */
export const NO_MODEL_MESSAGE = "No valid model configuration detected.";
