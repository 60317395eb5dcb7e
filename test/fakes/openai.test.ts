import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText } from "ai";
import { createFakeUpstream, type FakeUpstream } from "./llm-upstream.ts";
import { collectStream, parseSse, weatherTools } from "./sdk-helpers.ts";

const KEY = "sk-fake-openai";
const toolReply = {
  thinking: "The user wants weather.",
  text: "Let me check that for you.",
  toolCalls: [{ name: "get_weather", arguments: { city: "Paris", days: 3 } }],
  usage: { input: 42, output: 17 },
};

type Chunk = {
  object: string;
  choices: {
    delta: {
      role?: string;
      content?: string;
      tool_calls?: {
        index: number;
        id?: string;
        type?: string;
        function: { name?: string; arguments?: string };
      }[];
    };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
};

describe("OpenAI fake", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({ apiKey: KEY });
  });
  after(() => upstream.close());

  const post = (path: string, body: unknown, key = KEY) =>
    fetch(`${upstream.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it("streams chat-completion chunks with split tool arguments, usage and [DONE]", async () => {
    upstream.enqueue(toolReply);
    const res = await post("/v1/chat/completions", {
      model: "gpt-test",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "weather?" }],
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = parseSse(await res.text());
    assert.equal(events.at(-1)?.data, "[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as Chunk);
    assert.ok(chunks.every((chunk) => chunk.object === "chat.completion.chunk"));
    assert.equal(chunks[0]?.choices[0]?.delta.role, "assistant");
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    assert.equal(text, toolReply.text);
    const toolDeltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.equal(toolDeltas[0]?.function.name, "get_weather");
    assert.equal(toolDeltas[0]?.type, "function");
    assert.match(toolDeltas[0]?.id ?? "", /^call_/);
    const argumentPieces = toolDeltas
      .map((delta) => delta.function.arguments ?? "")
      .filter((piece) => piece !== "");
    assert.ok(argumentPieces.length >= 2, "arguments arrive in several chunks");
    assert.deepEqual(JSON.parse(argumentPieces.join("")), { city: "Paris", days: 3 });
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason != null);
    assert.equal(finish?.choices[0]?.finish_reason, "tool_calls");
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk?.choices, []);
    assert.equal(usageChunk?.usage?.prompt_tokens, 42);
    assert.equal(usageChunk?.usage?.completion_tokens, 17);
    assert.equal(usageChunk?.usage?.total_tokens, 59);
  });

  it("omits the usage chunk unless include_usage is asked for", async () => {
    upstream.enqueue("plain");
    const res = await post("/v1/chat/completions", {
      model: "gpt-test",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const chunks = parseSse(await res.text())
      .slice(0, -1)
      .map((event) => JSON.parse(event.data) as Chunk);
    assert.ok(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1));
  });

  it("answers non-streaming chat completions and echoes the user by default", async () => {
    const res = await post("/v1/chat/completions", {
      model: "gpt-test",
      messages: [{ role: "user", content: [{ type: "text", text: "ping" }] }],
    });
    const body = (await res.json()) as { object: string; choices: { message: { content: string } }[] };
    assert.equal(body.object, "chat.completion");
    assert.equal(body.choices[0]?.message.content, "echo: ping");
  });

  it("rejects a wrong key with OpenAI's error body, and lists models", async () => {
    const denied = await post("/v1/chat/completions", { model: "m", messages: [] }, "sk-wrong");
    assert.equal(denied.status, 401);
    const error = (await denied.json()) as { error: { code: string; message: string } };
    assert.equal(error.error.code, "invalid_api_key");
    const models = await fetch(`${upstream.openaiBaseUrl}/models`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const list = (await models.json()) as { object: string; data: { id: string; object: string }[] };
    assert.equal(list.object, "list");
    assert.deepEqual(
      list.data.map((model) => model.id),
      ["fake-model", "fake-thinker"],
    );
  });

  it("streams the Responses API as named events ending in response.completed", async () => {
    upstream.enqueue(toolReply);
    const res = await post("/v1/responses", { model: "gpt-test", stream: true, input: "weather?" });
    const events = parseSse(await res.text());
    assert.ok(events.every((event) => event.event === (JSON.parse(event.data) as { type: string }).type));
    const types = events.map((event) => event.event);
    assert.equal(types[0], "response.created");
    assert.equal(types.at(-1), "response.completed");
    for (const type of [
      "response.reasoning_summary_text.delta",
      "response.output_text.delta",
      "response.function_call_arguments.delta",
    ]) {
      assert.ok(types.includes(type), `${type} is sent`);
    }
    const sequence = events.map(
      (event) => (JSON.parse(event.data) as { sequence_number: number }).sequence_number,
    );
    assert.deepEqual(
      sequence,
      sequence.map((_, i) => i),
    );
  });

  it("works through @ai-sdk/openai's default model (Responses API)", async () => {
    const openai = createOpenAI({ baseURL: upstream.openaiBaseUrl, apiKey: KEY });
    upstream.enqueue(toolReply);
    const out = await collectStream(openai("gpt-test"), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.text, toolReply.text);
    assert.equal(out.reasoning, toolReply.thinking);
    assert.deepEqual(
      out.toolCalls.map((call) => [call.toolName, call.input]),
      [["get_weather", { city: "Paris", days: 3 }]],
    );
    assert.deepEqual(out.usage, { inputTokens: 42, outputTokens: 17 });
    assert.equal(out.finishReason, "tool-calls");
    assert.equal(upstream.requests.at(-1)?.path, "/v1/responses");
  });

  it("works through openai.chat() (chat completions)", async () => {
    const openai = createOpenAI({ baseURL: upstream.openaiBaseUrl, apiKey: KEY });
    upstream.enqueue(toolReply);
    const out = await collectStream(openai.chat("gpt-test"), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.text, toolReply.text);
    assert.ok(out.textDeltas >= 3, "text arrives as several deltas");
    assert.deepEqual(out.toolCalls[0]?.input, { city: "Paris", days: 3 });
    assert.deepEqual(out.usage, { inputTokens: 42, outputTokens: 17 });
    const request = upstream.requests.at(-1);
    assert.equal(request?.path, "/v1/chat/completions");
    assert.equal(request?.headers["authorization"], `Bearer ${KEY}`);
    assert.equal(request?.stream, true);
    assert.deepEqual(request?.body?.["stream_options"], { include_usage: true });
  });

  it("streams reasoning_content to @ai-sdk/openai-compatible", async () => {
    const compatible = createOpenAICompatible({
      name: "local",
      baseURL: upstream.openaiBaseUrl,
      apiKey: KEY,
      includeUsage: true,
    });
    upstream.enqueue(toolReply);
    const out = await collectStream(compatible.chatModel("local-model"), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.reasoning, toolReply.thinking);
    assert.equal(out.text, toolReply.text);
    assert.deepEqual(out.toolCalls[0]?.input, { city: "Paris", days: 3 });
    assert.deepEqual(out.usage, { inputTokens: 42, outputTokens: 17 });
  });

  it("answers generateText without streaming on both OpenAI APIs", async () => {
    const openai = createOpenAI({ baseURL: upstream.openaiBaseUrl, apiKey: KEY });
    for (const model of [openai.chat("gpt-test"), openai.responses("gpt-test")]) {
      upstream.enqueue(toolReply);
      const result = await generateText({ model, prompt: "weather?", tools: weatherTools, maxRetries: 0 });
      assert.equal(result.text, toolReply.text);
      assert.deepEqual(result.toolCalls[0]?.input, { city: "Paris", days: 3 });
      assert.equal(result.usage.outputTokens, 17);
      assert.equal(upstream.requests.at(-1)?.stream, false);
    }
  });
});
