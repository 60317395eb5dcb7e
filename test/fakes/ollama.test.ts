import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateText } from "ai";
import { createOllama } from "ollama-ai-provider-v2";
import { createFakeUpstream, type FakeUpstream } from "./llm-upstream.ts";
import { collectStream, errorMessage, weatherTools } from "./sdk-helpers.ts";

const reply = {
  thinking: "Think first.",
  text: "Here is the weather.",
  toolCalls: [{ name: "get_weather", arguments: { city: "Lima" } }],
  usage: { input: 26, output: 259 },
};

type Line = {
  model?: string;
  created_at?: string;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
  message?: {
    role: string;
    content: string;
    thinking?: string;
    tool_calls?: { function: { name: string; arguments: unknown } }[];
  };
};

function lines(text: string): Line[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Line);
}

describe("Ollama fake", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({
      models: [
        { id: "llama3.2", contextLength: 131072 },
        {
          id: "qwen3:8b",
          contextLength: 40960,
          family: "qwen3",
          capabilities: ["completion", "tools", "thinking"],
        },
      ],
    });
  });
  after(() => upstream.close());

  const post = (path: string, body: unknown) =>
    fetch(`${upstream.url}${path}`, { method: "POST", body: JSON.stringify(body) });

  it("streams NDJSON (the default) ending with done:true and token counts", async () => {
    upstream.enqueue(reply);
    const res = await post("/api/chat", {
      model: "llama3.2",
      messages: [{ role: "user", content: "weather?" }],
    });
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    const all = lines(await res.text());
    assert.ok(all.every((line) => line.model === "llama3.2" && typeof line.created_at === "string"));
    assert.ok(all.slice(0, -1).every((line) => line.done === false));
    assert.equal(all.map((line) => line.message?.thinking ?? "").join(""), reply.thinking);
    assert.equal(all.map((line) => line.message?.content ?? "").join(""), reply.text);
    const call = all.flatMap((line) => line.message?.tool_calls ?? [])[0];
    assert.deepEqual(call?.function, { index: 0, name: "get_weather", arguments: { city: "Lima" } });
    const last = all.at(-1);
    assert.equal(last?.done, true);
    assert.equal(last?.done_reason, "stop");
    assert.equal(last?.prompt_eval_count, 26);
    assert.equal(last?.eval_count, 259);
  });

  it("answers one JSON object when stream is false", async () => {
    const res = await post("/api/chat", {
      model: "llama3.2",
      stream: false,
      messages: [{ role: "user", content: "ping" }],
    });
    const body = (await res.json()) as Line;
    assert.equal(body.done, true);
    assert.equal(body.message?.content, "echo: ping");
  });

  it("lists tags and shows model info with <arch>.context_length and capabilities", async () => {
    const tags = (await (await fetch(`${upstream.url}/api/tags`)).json()) as {
      models: { name: string; details: { family: string } }[];
    };
    assert.deepEqual(
      tags.models.map((model) => [model.name, model.details.family]),
      [
        ["llama3.2:latest", "llama"],
        ["qwen3:8b", "qwen3"],
      ],
    );
    const root = await fetch(`${upstream.url}/`);
    assert.equal(await root.text(), "Ollama is running");
    const version = (await (await fetch(`${upstream.url}/api/version`)).json()) as { version: string };
    assert.match(version.version, /^\d+\.\d+\.\d+$/);
    const show = (await (await post("/api/show", { model: "qwen3:8b" })).json()) as {
      model_info: Record<string, unknown>;
      capabilities: string[];
    };
    assert.equal(show.model_info["general.architecture"], "qwen3");
    assert.equal(show.model_info["qwen3.context_length"], 40960);
    assert.deepEqual(show.capabilities, ["completion", "tools", "thinking"]);
    const legacy = await post("/api/show", { name: "llama3.2:latest" });
    assert.equal(
      ((await legacy.json()) as { model_info: Record<string, unknown> }).model_info["llama.context_length"],
      131072,
    );
    const missing = await post("/api/show", { model: "nope" });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "model 'nope' not found" });
  });

  it("sends Ollama's {error} line mid-stream", async () => {
    upstream.enqueue({ text: "a b", failure: { streamError: { message: "model crashed" } } });
    const res = await post("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "x" }] });
    const all = lines(await res.text());
    assert.deepEqual(all.at(-1), { error: "model crashed" });
    assert.equal(all.length, 2);
  });

  it("works through ollama-ai-provider-v2 (baseURL ends in /api)", async () => {
    const ollama = createOllama({ baseURL: upstream.ollamaBaseUrl });
    upstream.enqueue(reply);
    const out = await collectStream(ollama("qwen3:8b"), { tools: true });
    assert.deepEqual(out.errors, []);
    assert.equal(out.reasoning, reply.thinking);
    assert.equal(out.text, reply.text);
    assert.deepEqual(
      out.toolCalls.map((call) => [call.toolName, call.input]),
      [["get_weather", { city: "Lima" }]],
    );
    assert.deepEqual(out.usage, { inputTokens: 26, outputTokens: 259 });
    assert.equal(out.finishReason, "tool-calls");
    assert.equal(upstream.requests.at(-1)?.path, "/api/chat");
  });

  it("answers generateText through the provider", async () => {
    const ollama = createOllama({ baseURL: upstream.ollamaBaseUrl });
    upstream.enqueue(reply);
    const result = await generateText({
      model: ollama("llama3.2"),
      prompt: "x",
      tools: weatherTools,
      maxRetries: 0,
    });
    assert.equal(result.text, reply.text);
    assert.deepEqual(result.toolCalls[0]?.input, { city: "Lima" });
    assert.equal(result.usage.outputTokens, 259);
  });

  it("surfaces HTTP errors and disconnects; the provider only warns on bad or error lines", async () => {
    const ollama = createOllama({ baseURL: upstream.ollamaBaseUrl });
    upstream.enqueue({ failure: { status: 500 } });
    const failed = await collectStream(ollama("llama3.2"));
    assert.match(errorMessage(failed.errors[0]), /Internal Server Error|error/i);
    upstream.enqueue({ text: "a b c", failure: { disconnectAfterChunks: 1 } });
    const cut = await collectStream(ollama("llama3.2"));
    assert.equal(cut.text, "a ");
    assert.match(errorMessage(cut.errors[0]), /terminated/);
    // ollama-ai-provider-v2 skips unparsable NDJSON lines with console.warn instead of failing:
    // the daemon cannot rely on an error here, which is exactly what this pins down.
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      upstream.enqueue({ text: "x y", failure: "malformed" });
      const malformed = await collectStream(ollama("llama3.2"));
      assert.equal(malformed.text, "x y");
      assert.deepEqual(malformed.errors, []);
      // Likewise Ollama's own mid-stream `{"error": …}` line: the stream just ends without `done`,
      // so the only sign is a finish reason of "other" and no usage.
      upstream.enqueue({ text: "p q r", failure: { streamError: { message: "boom" } } });
      const broken = await collectStream(ollama("llama3.2"));
      assert.equal(broken.text, "p ");
      assert.deepEqual(broken.errors, []);
      assert.equal(broken.finishReason, "other");
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 2);
    assert.ok(warnings.every((args) => /Failed to parse NDJSON line/.test(String(args[0]))));
  });
});
