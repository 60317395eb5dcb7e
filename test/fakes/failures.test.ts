import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenRouter } from "@openrouter/ai-sdk-provider";
import { APICallError, generateText, type LanguageModel } from "ai";
import { createFakeUpstream, type FakeUpstream, generatedToken } from "./llm-upstream.ts";
import { collectStream, errorMessage } from "./sdk-helpers.ts";

/** Failure modes and scripting features, driven through the real SDK providers. */
describe("fake upstream failures and scripting", () => {
  let upstream: FakeUpstream;
  let models: Record<string, LanguageModel>;
  before(async () => {
    upstream = await createFakeUpstream();
    const openai = createOpenAI({ baseURL: upstream.openaiBaseUrl, apiKey: "k" });
    models = {
      "openai chat": openai.chat("gpt-test"),
      "openai responses": openai("gpt-test"),
      anthropic: createAnthropic({ baseURL: upstream.anthropicBaseUrl, apiKey: "k" })("claude-sonnet-4-5"),
      openrouter: createOpenRouter({ baseURL: upstream.openrouterBaseUrl, apiKey: "k" }).chat("x/y"),
    };
  });
  after(() => upstream.close());

  it("turns 429/500/503 into retryable APICallErrors with the status", async () => {
    for (const [name, model] of Object.entries(models)) {
      for (const status of [429, 500, 503]) {
        upstream.enqueue({ failure: { status } });
        const out = await collectStream(model);
        const error = out.errors[0];
        assert.ok(APICallError.isInstance(error), `${name} ${status}: ${errorMessage(error)}`);
        assert.equal(error.statusCode, status, name);
        assert.equal(error.isRetryable, true, name);
      }
    }
  });

  it("sends retry-after, which the SDK honours when retrying", async () => {
    upstream.enqueue({ failure: { status: 429, retryAfter: 0 } });
    const raw = await fetch(`${upstream.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get("retry-after"), "0");
    await raw.body?.cancel();
    const before = upstream.requests.length;
    upstream.enqueue({ failure: { status: 429, retryAfter: 0 } }, "after retry");
    const out = await collectStream(models["openai chat"] as LanguageModel, { maxRetries: 1 });
    assert.deepEqual(out.errors, []);
    assert.equal(out.text, "after retry");
    assert.equal(upstream.requests.length - before, 2);
  });

  it("sends a scripted error body verbatim", async () => {
    upstream.enqueue({
      failure: { status: 400, body: { error: { message: "context too long", type: "x" } } },
    });
    const out = await collectStream(models["openai chat"] as LanguageModel);
    assert.match(errorMessage(out.errors[0]), /context too long/);
  });

  it("reports a dropped connection and a malformed chunk as errors on every SSE vendor", async () => {
    for (const [name, model] of Object.entries(models)) {
      upstream.enqueue({ text: "one two three four", failure: { disconnectAfterChunks: 2 } });
      const cut = await collectStream(model);
      assert.equal(cut.text, "one two ", name);
      assert.ok(cut.errors.length > 0, `${name}: disconnect surfaces`);
      upstream.enqueue({ text: "one two", failure: "malformed" });
      const bad = await collectStream(model);
      assert.match(errorMessage(bad.errors[0]), /JSON/, name);
    }
  });

  it("fails non-streaming calls too: malformed body, dropped connection, headers-only stream", async () => {
    const model = models["openai chat"] as LanguageModel;
    upstream.enqueue({ text: "x", failure: "malformed" });
    await assert.rejects(generateText({ model, prompt: "x", maxRetries: 0 }), /Invalid JSON response|JSON/);
    upstream.enqueue({ text: "x", failure: { disconnectAfterChunks: 0 } });
    await assert.rejects(
      generateText({ model, prompt: "x", maxRetries: 0 }),
      /fetch failed|Cannot connect|socket/i,
    );
    upstream.enqueue({ text: "x y", failure: { disconnectAfterChunks: 0 } });
    const res = await fetch(`${upstream.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), /terminated/);
  });

  it("keeps a hanging request open until the client aborts, and logs the abort", async () => {
    upstream.enqueue({ failure: "hang" });
    const controller = new AbortController();
    const seen = upstream.requests.filter((request) => request.path === "/v1/messages").length;
    const pending = collectStream(models["anthropic"] as LanguageModel, { abortSignal: controller.signal });
    const all = await upstream.waitForRequests(seen + 1, { timeoutMs: 2000, path: "/v1/messages" });
    const request = all.at(-1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(request?.clientAborted, false);
    controller.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(request?.clientAborted, true);
  });

  it("stops a slow stream when the client aborts mid-way", async () => {
    upstream.enqueue({ tokens: 200, chunkDelayMs: 10 });
    const controller = new AbortController();
    const res = await fetch(`${upstream.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await reader?.closed.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(upstream.requests.at(-1)?.clientAborted, true);
  });

  it("ends hanging requests on close()", async () => {
    const local = await createFakeUpstream();
    local.enqueue({ failure: "hang" });
    const pending = fetch(`${local.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
    }).then(
      () => "answered",
      () => "failed",
    );
    await local.waitForRequests(1);
    await local.close();
    assert.equal(await pending, "failed");
    assert.equal(local.requests[0]?.clientAborted, false);
  });

  it("waits firstTokenDelayMs and chunkDelayMs between content chunks", async () => {
    upstream.enqueue({ text: ["a", "b", "c"], firstTokenDelayMs: 60, chunkDelayMs: 30 });
    const started = performance.now();
    const out = await collectStream(models["openai chat"] as LanguageModel);
    const elapsed = performance.now() - started;
    assert.equal(out.text, "abc");
    assert.ok(elapsed >= 115, `took ${elapsed} ms`);
  });

  it("generates N deterministic tokens, counted as output usage", async () => {
    upstream.enqueue({ tokens: 50 });
    const out = await collectStream(models["openai chat"] as LanguageModel);
    const expected = Array.from({ length: 50 }, (_, i) => generatedToken(i)).join("");
    assert.equal(out.text, expected);
    assert.equal(out.textDeltas, 50);
    assert.equal(out.usage?.outputTokens, 50);
  });

  it("uses the handler when the queue is empty, the queue first otherwise", async () => {
    upstream.setHandler((request) =>
      request.lastUserText === "skip" ? undefined : `handled ${request.protocol}`,
    );
    try {
      upstream.enqueue("queued");
      assert.equal((await collectStream(models["openrouter"] as LanguageModel)).text, "queued");
      assert.equal((await collectStream(models["openrouter"] as LanguageModel)).text, "handled openrouter");
      assert.equal((await collectStream(models["anthropic"] as LanguageModel)).text, "handled anthropic");
      const fallback = await collectStream(models["anthropic"] as LanguageModel, { prompt: "skip" });
      assert.equal(fallback.text, "echo: skip");
    } finally {
      upstream.setHandler(undefined);
    }
    assert.equal(upstream.pendingReplies, 0);
  });

  it("rejects invalid scripted replies and times out waiting for requests that never come", async () => {
    assert.throws(() => upstream.enqueue({ txt: "typo" } as never), /invalid reply/);
    assert.throws(() => upstream.enqueue({ failure: { status: 200 } }), /invalid reply/);
    await assert.rejects(
      upstream.waitForRequests(upstream.requests.length + 1, 50),
      /expected \d+ request\(s\), got \d+ within 50 ms/,
    );
  });

  it("answers unknown paths with 404 and bodies that are not JSON with the vendor's 400", async () => {
    const missing = await fetch(`${upstream.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const broken = await fetch(`${upstream.openaiBaseUrl}/chat/completions`, {
      method: "POST",
      body: "{nope",
    });
    assert.equal(broken.status, 400);
    const body = (await broken.json()) as { error: { message: string; type: string } };
    assert.equal(body.error.type, "invalid_request_error");
    assert.equal(upstream.requests.at(-1)?.rawBody, "{nope");
  });
});
