import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAnthropic } from "@ai-sdk/anthropic";
import { APICallError, generateText } from "ai";
import { createFakeUpstream, type FakeUpstream } from "./llm-upstream.ts";
import { collectStream, errorMessage, parseSse, weatherTools } from "./sdk-helpers.ts";

const KEY = "sk-ant-fake";
const MODEL = "claude-sonnet-4-5";
const reply = {
  thinking: ["Weather ", "needs a tool."],
  text: "Checking the forecast.",
  toolCalls: [{ name: "get_weather", arguments: { city: "Oslo", days: 2 } }],
  usage: { input: 120, output: 33 },
};

type Event = {
  type: string;
  index?: number;
  delta?: Record<string, string>;
  content_block?: { type: string };
};

describe("Anthropic fake", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({ apiKey: KEY });
  });
  after(() => upstream.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${upstream.anthropicBaseUrl}/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-api-key": KEY,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const request = {
    model: MODEL,
    max_tokens: 1024,
    stream: true,
    messages: [{ role: "user", content: "hi" }],
  };

  it("streams message_start, ping, thinking/text/tool_use blocks, message_delta and message_stop", async () => {
    upstream.enqueue(reply);
    const res = await post(request);
    assert.equal(res.status, 200);
    const events = parseSse(await res.text());
    const parsed = events.map((event) => JSON.parse(event.data) as Event);
    assert.ok(
      events.every((event, i) => event.event === parsed[i]?.type),
      "event names match data types",
    );
    assert.deepEqual(
      parsed
        .filter((event) => event.type === "content_block_start")
        .map((event) => event.content_block?.type),
      ["thinking", "text", "tool_use"],
    );
    assert.equal(parsed[0]?.type, "message_start");
    assert.equal(parsed[1]?.type, "ping");
    assert.deepEqual(
      parsed.slice(-2).map((event) => event.type),
      ["message_delta", "message_stop"],
    );
    const deltas = (kind: string, field: string) =>
      parsed.filter((event) => event.delta?.["type"] === kind).map((event) => event.delta?.[field] ?? "");
    assert.equal(deltas("thinking_delta", "thinking").join(""), "Weather needs a tool.");
    assert.equal(deltas("signature_delta", "signature").length, 1);
    assert.equal(deltas("text_delta", "text").join(""), reply.text);
    const json = deltas("input_json_delta", "partial_json");
    assert.ok(json.length >= 2);
    assert.deepEqual(JSON.parse(json.join("")), { city: "Oslo", days: 2 });
    const start = JSON.parse(events[0]?.data ?? "{}") as { message: { usage: { input_tokens: number } } };
    assert.equal(start.message.usage.input_tokens, 120);
    const end = parsed.at(-2) as unknown as {
      delta: { stop_reason: string };
      usage: { output_tokens: number };
    };
    assert.equal(end.delta.stop_reason, "tool_use");
    assert.equal(end.usage.output_tokens, 33);
  });

  it("insists on anthropic-version and a valid x-api-key, in Anthropic's error shape", async () => {
    const raw = await fetch(`${upstream.anthropicBaseUrl}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify(request),
    });
    assert.equal(raw.status, 400);
    const missing = (await raw.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(missing.type, "error");
    assert.equal(missing.error.type, "invalid_request_error");
    assert.match(missing.error.message, /anthropic-version/);
    const wrong = await post(request, { "x-api-key": "nope" });
    assert.equal(wrong.status, 401);
    const body = (await wrong.json()) as { error: { type: string } };
    assert.equal(body.error.type, "authentication_error");
  });

  it("requires max_tokens like the real API", async () => {
    const { max_tokens: _, ...withoutMax } = request;
    const res = await post(withoutMax);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /max_tokens/);
  });

  it("sends a scripted event: error mid-stream", async () => {
    upstream.enqueue({ text: "one two three", failure: { streamError: { afterChunks: 2 } } });
    const events = parseSse(await (await post(request)).text());
    const last = events.at(-1);
    assert.equal(last?.event, "error");
    assert.deepEqual(JSON.parse(last?.data ?? "{}"), {
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    assert.equal(events.filter((event) => event.data.includes("text_delta")).length, 2);
  });

  it("lists models when asked with Anthropic headers", async () => {
    const res = await fetch(`${upstream.anthropicBaseUrl}/models`, {
      headers: { "anthropic-version": "2023-06-01", "x-api-key": KEY },
    });
    const body = (await res.json()) as { data: { type: string; id: string }[]; has_more: boolean };
    assert.equal(body.has_more, false);
    assert.deepEqual(
      body.data.map((model) => [model.type, model.id]),
      [
        ["model", "fake-model"],
        ["model", "fake-thinker"],
      ],
    );
  });

  it("works through @ai-sdk/anthropic: thinking, text, tool call and usage", async () => {
    const anthropic = createAnthropic({ baseURL: upstream.anthropicBaseUrl, apiKey: KEY });
    upstream.enqueue(reply);
    const out = await collectStream(anthropic(MODEL), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.reasoning, "Weather needs a tool.");
    assert.equal(out.text, reply.text);
    assert.deepEqual(
      out.toolCalls.map((call) => [call.toolName, call.input]),
      [["get_weather", { city: "Oslo", days: 2 }]],
    );
    assert.deepEqual(out.usage, { inputTokens: 120, outputTokens: 33 });
    assert.equal(out.finishReason, "tool-calls");
    const logged = upstream.requests.at(-1);
    assert.equal(logged?.headers["x-api-key"], KEY);
    assert.equal(logged?.headers["anthropic-version"], "2023-06-01");
  });

  it("surfaces the in-stream error event and HTTP errors through the SDK", async () => {
    const anthropic = createAnthropic({ baseURL: upstream.anthropicBaseUrl, apiKey: KEY });
    upstream.enqueue({ text: "partial answer here", failure: { streamError: { afterChunks: 1 } } });
    const streamed = await collectStream(anthropic(MODEL));
    assert.equal(streamed.text, "partial ");
    assert.match(errorMessage(streamed.errors[0]), /Overloaded/);
    upstream.enqueue({ failure: { status: 529 } });
    const failed = await collectStream(anthropic(MODEL));
    const error = failed.errors[0];
    assert.ok(APICallError.isInstance(error), errorMessage(error));
    assert.equal(error.statusCode, 529);
    assert.equal(error.isRetryable, true);
  });

  it("answers generateText without streaming", async () => {
    const anthropic = createAnthropic({ baseURL: upstream.anthropicBaseUrl, apiKey: KEY });
    upstream.enqueue(reply);
    const result = await generateText({
      model: anthropic(MODEL),
      prompt: "hi",
      tools: weatherTools,
      maxRetries: 0,
    });
    assert.equal(result.text, reply.text);
    assert.equal(result.reasoningText, "Weather needs a tool.");
    assert.deepEqual(result.toolCalls[0]?.input, { city: "Oslo", days: 2 });
    assert.equal(result.usage.inputTokens, 120);
    assert.equal(upstream.requests.at(-1)?.stream, false);
  });
});
