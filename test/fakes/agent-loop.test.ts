import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createOpenRouter } from "@openrouter/ai-sdk-provider";
import { type LanguageModel, stepCountIs, streamText, tool } from "ai";
import { createOllama } from "ollama-ai-provider-v2";
import { z } from "zod";
import { createFakeUpstream, type FakeUpstream } from "./llm-upstream.ts";
import "./sdk-helpers.ts";

/**
 * A two-step tool loop through every provider: the SDK must send the tool result back in a shape
 * the fake accepts, and the fake must recognise that follow-up call (`endsWithToolResult`).
 */
describe("tool loop through every provider", () => {
  let upstream: FakeUpstream;
  let models: Record<string, LanguageModel>;
  before(async () => {
    upstream = await createFakeUpstream({
      handler: (request) =>
        request.endsWithToolResult
          ? `It is sunny in ${(request.lastUserText ?? "").split(" ").at(-1)}`
          : { toolCalls: [{ name: "get_weather", arguments: { city: "Quito" } }] },
    });
    const openai = createOpenAI({ baseURL: upstream.openaiBaseUrl, apiKey: "k" });
    models = {
      "openai responses": openai("gpt-test"),
      "openai chat": openai.chat("gpt-test"),
      "openai-compatible": createOpenAICompatible({ name: "c", baseURL: upstream.openaiBaseUrl }).chatModel(
        "m",
      ),
      anthropic: createAnthropic({ baseURL: upstream.anthropicBaseUrl, apiKey: "k" })("claude-sonnet-4-5"),
      openrouter: createOpenRouter({ baseURL: upstream.openrouterBaseUrl, apiKey: "k" }).chat("a/b"),
      ollama: createOllama({ baseURL: upstream.ollamaBaseUrl })("llama3.2"),
    };
  });
  after(() => upstream.close());

  it("runs tool call → tool result → final text on each vendor", async () => {
    for (const [name, model] of Object.entries(models)) {
      const executed: unknown[] = [];
      const result = streamText({
        model,
        prompt: "weather in Quito",
        maxRetries: 0,
        stopWhen: stepCountIs(3),
        tools: {
          get_weather: tool({
            inputSchema: z.object({ city: z.string() }),
            execute: async (input) => {
              executed.push(input);
              return { forecast: "sunny" };
            },
          }),
        },
      });
      assert.equal(await result.text, "It is sunny in Quito", name);
      assert.deepEqual(executed, [{ city: "Quito" }], name);
      const [first, second] = upstream.requests.slice(-2);
      assert.equal(first?.endsWithToolResult, false, name);
      assert.equal(second?.endsWithToolResult, true, name);
      assert.equal(second?.lastUserText, "weather in Quito", name);
    }
  });
});
