import { z } from "zod";
import type { ReplyPlan } from "../reply.ts";
import type { ChatRequest, Frame, ParseResult } from "./types.ts";

const contentSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })),
]);

/** Plain text of a message's content: a string, or the `text` of every part that has one. */
export function textOfContent(content: unknown): string {
  const parsed = contentSchema.safeParse(content);
  if (!parsed.success) return "";
  if (typeof parsed.data === "string") return parsed.data;
  return parsed.data.map((part) => part.text ?? "").join("");
}

type Message = { role?: unknown; type?: unknown; content?: unknown };

/**
 * Text of the last user message that has text, or "" when there is none. Messages carrying only
 * tool results (Anthropic sends those as `user` turns) are skipped, so every vendor agrees.
 */
export function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== "user") continue;
    const text = textOfContent(message.content);
    if (text !== "") return text;
  }
  return "";
}

const toolResultPartsSchema = z.array(z.looseObject({ type: z.string().optional() }));

/**
 * Whether the conversation ends with a tool result — the model is being asked to continue after
 * a tool ran: role `tool` (chat completions, Ollama), a `tool_result` block in the last user turn
 * (Anthropic) or a `function_call_output` item (Responses).
 */
export function endsWithToolResult(messages: readonly Message[]): boolean {
  const last = messages.at(-1);
  if (last === undefined) return false;
  if (last.role === "tool" || last.type === "function_call_output") return true;
  const parts = toolResultPartsSchema.safeParse(last.content);
  return last.role === "user" && parts.success && parts.data.some((part) => part.type === "tool_result");
}

/** A `parseRequest`: validates the body against `schema`, then summarizes it for the fake. */
export function parseWith<T>(
  schema: z.ZodType<T>,
  summarize: (value: T) => ChatRequest,
): (body: unknown) => ParseResult {
  return (body) => {
    const result = schema.safeParse(body);
    if (!result.success) {
      return { ok: false, message: `Invalid request body: ${z.prettifyError(result.error)}` };
    }
    return { ok: true, request: summarize(result.data) };
  };
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** A frame that carries model output (counted for delays and disconnects). */
export function contentFrame(value: unknown, event?: string): Frame {
  return event === undefined
    ? { data: json(value), content: true }
    : { event, data: json(value), content: true };
}

export function controlFrame(value: unknown, event?: string): Frame {
  return event === undefined ? { data: json(value) } : { event, data: json(value) };
}

export function joined(chunks: readonly string[]): string {
  return chunks.join("");
}

export function hasToolCalls(plan: ReplyPlan): boolean {
  return plan.toolCalls.length > 0;
}
