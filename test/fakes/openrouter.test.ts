import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOpenRouter } from "@openrouter/ai-sdk-provider";
import { createFakeUpstream, type FakeUpstream } from "./llm-upstream.ts";
import { collectStream, errorMessage } from "./sdk-helpers.ts";

const KEY = "sk-or-v1-fake";
const MODEL = "anthropic/claude-sonnet-4.5";
const reply = {
  thinking: "Consider the question.",
  text: "The answer is 42.",
  toolCalls: [{ name: "get_weather", arguments: { city: "Rome", days: 1 } }],
  usage: { input: 64, output: 12 },
};

type Chunk = {
  provider?: string;
  error?: { message: string; code: number };
  choices: {
    delta: { content?: string; reasoning?: string; reasoning_details?: { type: string; text: string }[] };
    finish_reason: string | null;
    native_finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; cost: number };
};

describe("OpenRouter fake", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({ apiKey: { openrouter: KEY } });
  });
  after(() => upstream.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${upstream.openrouterBaseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers },
      body: JSON.stringify(body),
    });

  it("streams a processing comment, reasoning + reasoning_details and always a usage chunk", async () => {
    upstream.enqueue(reply);
    const res = await post(
      { model: MODEL, stream: true, messages: [{ role: "user", content: "q" }] },
      { "HTTP-Referer": "https://netclaw.test", "X-Title": "netclaw" },
    );
    const raw = await res.text();
    assert.ok(raw.startsWith(": OPENROUTER PROCESSING\n\n"));
    const blocks = raw.split("\n\n").filter((block) => block.startsWith("data: "));
    assert.equal(blocks.at(-1), "data: [DONE]");
    const chunks = blocks.slice(0, -1).map((block) => JSON.parse(block.slice(6)) as Chunk);
    assert.ok(chunks.every((chunk) => chunk.provider === "Fake"));
    const reasoning = chunks.map((chunk) => chunk.choices[0]?.delta.reasoning ?? "").join("");
    assert.equal(reasoning, reply.thinking);
    const details = chunks.flatMap((chunk) => chunk.choices[0]?.delta.reasoning_details ?? []);
    assert.ok(details.every((detail) => detail.type === "reasoning.text"));
    assert.equal(details.map((detail) => detail.text).join(""), reply.thinking);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0];
    assert.equal(finish?.finish_reason, "tool_calls");
    assert.equal(finish?.native_finish_reason, "tool_calls");
    const usage = chunks.at(-1)?.usage;
    assert.equal(usage?.prompt_tokens, 64);
    assert.equal(usage?.completion_tokens, 12);
    assert.equal(usage?.cost, 0);
    assert.deepEqual(upstream.requests.at(-1)?.attribution, {
      referer: "https://netclaw.test",
      title: "netclaw",
    });
  });

  it("lists models with context_length and rejects a missing key in OpenRouter's shape", async () => {
    const models = await fetch(`${upstream.openrouterBaseUrl}/models`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const body = (await models.json()) as { data: { id: string; context_length: number }[] };
    assert.deepEqual(
      body.data.map((model) => [model.id, model.context_length]),
      [
        ["fake-model", 131072],
        ["fake-thinker", 200000],
      ],
    );
    const denied = await fetch(`${upstream.openrouterBaseUrl}/chat/completions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(denied.status, 401);
    assert.deepEqual(await denied.json(), { error: { message: "No auth credentials found", code: 401 } });
  });

  it("keeps the other vendors open when only OpenRouter has a key", async () => {
    const res = await fetch(`${upstream.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 200);
  });

  it("works through @openrouter/ai-sdk-provider, recording its attribution headers", async () => {
    const openrouter = createOpenRouter({
      baseURL: upstream.openrouterBaseUrl,
      apiKey: KEY,
      appName: "netclaw",
      appUrl: "https://netclaw.test",
    });
    upstream.enqueue(reply);
    const out = await collectStream(openrouter.chat(MODEL), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.reasoning, reply.thinking);
    assert.equal(out.text, reply.text);
    assert.deepEqual(
      out.toolCalls.map((call) => [call.toolName, call.input]),
      [["get_weather", { city: "Rome", days: 1 }]],
    );
    assert.deepEqual(out.usage, { inputTokens: 64, outputTokens: 12 });
    assert.equal(out.finishReason, "tool-calls");
    const logged = upstream.requests.at(-1);
    assert.equal(logged?.path, "/api/v1/chat/completions");
    // This SDK version spells the title header X-OpenRouter-Title; the fake accepts both.
    assert.deepEqual(logged?.attribution, { referer: "https://netclaw.test", title: "netclaw" });
  });

  it("surfaces OpenRouter's mid-stream error chunk through the SDK", async () => {
    const openrouter = createOpenRouter({ baseURL: upstream.openrouterBaseUrl, apiKey: KEY });
    upstream.enqueue({
      text: "so far so good",
      failure: { streamError: { message: "Provider returned error" } },
    });
    const out = await collectStream(openrouter.chat(MODEL));
    assert.equal(out.text, "so ");
    assert.match(errorMessage(out.errors[0]), /Provider returned error/);
    assert.equal(out.finishReason, "error");
  });
});
