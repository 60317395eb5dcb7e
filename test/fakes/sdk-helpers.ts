import { type LanguageModel, streamText, type TextStreamPart, type ToolSet, tool } from "ai";
import { z } from "zod";

// The SDK's compatibility warnings (unknown model ids) are noise in test output.
(globalThis as Record<string, unknown>)["AI_SDK_LOG_WARNINGS"] = false;

/** A tool without `execute`: streamText reports the call and stops, which is all these tests need. */
export const weatherTools = {
  get_weather: tool({
    description: "Current weather for a city",
    inputSchema: z.object({ city: z.string(), days: z.number().optional() }),
  }),
};

export type Collected = {
  text: string;
  reasoning: string;
  textDeltas: number;
  toolCalls: { toolName: string; toolCallId: string; input: unknown }[];
  usage: { inputTokens: number | undefined; outputTokens: number | undefined } | undefined;
  finishReason: string | undefined;
  errors: unknown[];
};

/**
 * Runs `streamText` through the real provider and gathers what a consumer would see. Errors are
 * collected, never thrown, and retries are off unless asked for, so failures surface at once.
 */
export async function collectStream(
  model: LanguageModel,
  options: { prompt?: string; tools?: boolean; maxRetries?: number; abortSignal?: AbortSignal } = {},
): Promise<Collected> {
  const result = streamText({
    model,
    prompt: options.prompt ?? "hello fake",
    maxRetries: options.maxRetries ?? 0,
    ...(options.tools === true ? { tools: weatherTools } : {}),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    onError: () => {},
  });
  const out: Collected = {
    text: "",
    reasoning: "",
    textDeltas: 0,
    toolCalls: [],
    usage: undefined,
    finishReason: undefined,
    errors: [],
  };
  try {
    for await (const part of result.fullStream) collect(out, part);
  } catch (error) {
    // Transport failures (a dropped socket) reject the iteration instead of arriving as a part.
    out.errors.push(error);
  }
  return out;
}

function collect(out: Collected, part: TextStreamPart<ToolSet>): void {
  switch (part.type) {
    case "text-delta":
      out.text += part.text;
      if (part.text !== "") out.textDeltas++;
      break;
    case "reasoning-delta":
      out.reasoning += part.text;
      break;
    case "tool-call":
      out.toolCalls.push({ toolName: part.toolName, toolCallId: part.toolCallId, input: part.input });
      break;
    case "finish":
      out.usage = { inputTokens: part.totalUsage.inputTokens, outputTokens: part.totalUsage.outputTokens };
      out.finishReason = part.finishReason;
      break;
    case "error":
      out.errors.push(part.error);
      break;
    default:
      break;
  }
}

/** Reads an SSE body into its events (comments dropped), as a client would split it. */
export function parseSse(body: string): { event: string | undefined; data: string }[] {
  return body
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: data.join("\n") };
    })
    .filter((entry) => entry.data !== "");
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
