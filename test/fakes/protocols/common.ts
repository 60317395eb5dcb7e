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

type Message = { role?: unknown; content?: unknown };

/** Text of the last message whose role is `user`, or "" when there is none. */
export function lastUserText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return textOfContent(message.content);
  }
  return "";
}

/** Validates a body against a schema and turns the result into the fake's request summary. */
export function parseWith<T>(
  schema: z.ZodType<T>,
  body: unknown,
  summarize: (value: T) => ChatRequest,
): ParseResult {
  const result = schema.safeParse(body);
  if (!result.success)
    return { ok: false, message: `Invalid request body: ${z.prettifyError(result.error)}` };
  return { ok: true, request: summarize(result.data) };
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
