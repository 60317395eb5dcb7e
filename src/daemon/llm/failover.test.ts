import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { buildConfig, type Collected, clientFor, collect, type ProviderSpec } from "./fixtures/harness.ts";
import { NO_MODEL_MESSAGE } from "./model-client.ts";
import { realTimers, scaledTimers, type Timers } from "./timers.ts";

// Session timeouts are whole seconds in config; these timers run 5x faster, so a 1 s first-token
// timeout waits 200 ms and a 1 s backoff 200 ms. random() = 0.5 makes the jitter factor exactly 1.
// `session` (1 s real) leaves a loaded machine room; `tight` (200 ms) is for the timeout tests.
const fast = { timers: scaledTimers(0.2), random: () => 0.5 };
const session = { FirstTokenTimeoutSeconds: 5, IdleTimeoutSeconds: 5 };
const tight = { FirstTokenTimeoutSeconds: 1, IdleTimeoutSeconds: 1 };
const SECRET = "sk-never-in-a-log-line";

function errorOf(out: Collected) {
  const last = out.last;
  assert.equal(last?.type, "error", `expected an error, got ${JSON.stringify(last)}`);
  return last?.type === "error" ? last : assert.fail("unreachable");
}

/** A port nothing listens on: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : assert.fail("no port");
}

describe("ModelClient failover, retries and failures", () => {
  let upstream: FakeUpstream;
  let providers: Record<string, ProviderSpec>;
  const main = { Provider: "oa", ModelId: "main-model" };
  const fallback = { Provider: "an", ModelId: "fallback-model" };
  const modelsCalled = () => upstream.requests.filter((r) => r.protocol !== undefined).map((r) => r.model);

  before(async () => {
    upstream = await createFakeUpstream();
    providers = {
      oa: { Type: "openai", Endpoint: upstream.openaiBaseUrl, ApiKey: SECRET },
      an: { Type: "anthropic", Endpoint: upstream.anthropicBaseUrl, ApiKey: SECRET },
      ol: { Type: "ollama", Endpoint: upstream.url },
      or: { Type: "openrouter", Endpoint: upstream.openrouterBaseUrl, ApiKey: "k" },
      oc: { Type: "openai-compatible", Endpoint: upstream.openaiBaseUrl },
    };
  });
  beforeEach(() => upstream.clearRequests());
  after(() => upstream.close());

  for (const status of [429, 500, 503]) {
    it(`${status} before any output switches to the Fallback model and logs it once`, async () => {
      const { client, log } = clientFor(buildConfig({ providers, main, fallback, session }), fast);
      upstream.enqueue({ failure: { status } }, "from the fallback");
      const out = await collect(client);
      assert.equal(out.text, "from the fallback");
      assert.equal(out.last?.type === "done" && out.last.model.role, "Fallback");
      assert.equal(out.last?.type === "done" && out.last.model.modelId, "fallback-model");
      assert.deepEqual(modelsCalled(), ["main-model", "fallback-model"]);
      const failovers = log.lines.filter((line) => String(line["msg"]).startsWith("Model failover"));
      assert.equal(failovers.length, 1);
      assert.match(
        String(failovers[0]?.["msg"]),
        /oa\/main-model .*switching to Fallback an\/fallback-model/,
      );
      assert.equal(out.events.filter((event) => event.type === "start").length, 1);
      assert.ok(!JSON.stringify(log.lines).includes(SECRET), "no API key in the log");
      assert.ok(!JSON.stringify(out.events).includes(SECRET), "no API key in the events");
    });
  }

  it("a refused connection is a transport error that fails over too (Ollama → OpenRouter)", async () => {
    const port = await closedPort();
    const config = buildConfig({
      providers: { ...providers, dead: { Type: "ollama", Endpoint: `http://127.0.0.1:${port}` } },
      main: { Provider: "dead", ModelId: "llama3" },
      fallback: { Provider: "or", ModelId: "x/y" },
      session,
    });
    const { client, log } = clientFor(config, fast);
    const out = await collect(client, { prompt: "still there?" });
    assert.equal(out.text, "echo: still there?");
    assert.equal(log.lines.filter((line) => line["code"] === "transport").length, 1);
  });

  it("a connection dropped before the first chunk fails over like a refused one", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session }), fast);
    upstream.enqueue({ text: "lost", failure: { disconnectAfterChunks: 0 } }, "fallback text");
    const out = await collect(client);
    assert.equal(out.text, "fallback text");
    assert.deepEqual(modelsCalled(), ["main-model", "fallback-model"]);
  });

  it("a 429's retry-after stretches the backoff", async () => {
    const { client, log } = clientFor(buildConfig({ providers, main, session }), fast);
    upstream.enqueue({ failure: { status: 429, retryAfter: 2 } }, "later");
    const out = await collect(client);
    assert.equal(out.text, "later");
    const retry = log.lines.find((line) => String(line["msg"]).startsWith("Model retry"));
    assert.equal(retry?.["delayMs"], 2000);
  });

  it("without a distinct Fallback, a 429 retries the same model after backoff", async () => {
    const { client, log } = clientFor(buildConfig({ providers, main, session }), fast);
    upstream.enqueue({ failure: { status: 429 } }, "second try");
    const out = await collect(client);
    assert.equal(out.text, "second try");
    assert.deepEqual(modelsCalled(), ["main-model", "main-model"]);
    const retry = log.lines.find((line) => String(line["msg"]).startsWith("Model retry"));
    assert.equal(retry?.["delayMs"], 1000);
  });

  it("ends with the vendor's error when every attempt fails", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session }), {
      ...fast,
      maxAttempts: 2,
    });
    upstream.enqueue(...Array.from({ length: 3 }, () => ({ failure: { status: 500 } })));
    const error = errorOf(await collect(client));
    assert.equal(error.error.code, "provider_error");
    assert.equal(error.error.status, 500);
    assert.equal(error.afterOutput, false);
    assert.equal(error.model?.role, "Fallback");
    assert.deepEqual(modelsCalled(), ["main-model", "fallback-model", "fallback-model"]);
  });

  it("a mid-stream disconnect ends with afterOutput and keeps the partial text, without failover", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session }), fast);
    upstream.enqueue({ text: "one two three four", failure: { disconnectAfterChunks: 2 } });
    const out = await collect(client);
    const error = errorOf(out);
    assert.equal(out.text, "one two ");
    assert.equal(error.afterOutput, true);
    assert.equal(error.error.code, "transport");
    assert.deepEqual(modelsCalled(), ["main-model"]);
  });

  it("a hang hits the first-token timeout and is retried with backoff", async () => {
    const { client, log } = clientFor(buildConfig({ providers, main, session: tight }), fast);
    upstream.enqueue({ failure: "hang" }, "after the retry");
    const started = performance.now();
    const out = await collect(client);
    assert.equal(out.text, "after the retry");
    assert.ok(performance.now() - started >= 350, "waited for the timeout and the backoff");
    assert.deepEqual(modelsCalled(), ["main-model", "main-model"]);
    assert.equal(upstream.requests[0]?.clientAborted, true);
    const retry = log.lines.find((line) => String(line["msg"]).startsWith("Model retry"));
    assert.equal(retry?.["code"], "first_token_timeout");
  });

  it("after the retries a timed-out Main gives way to the Fallback", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session: tight }), {
      ...fast,
      maxAttempts: 1,
    });
    upstream.enqueue({ failure: "hang" }, "fallback answers");
    const out = await collect(client);
    assert.equal(out.text, "fallback answers");
    assert.deepEqual(modelsCalled(), ["main-model", "fallback-model"]);
  });

  it("silence after output is an idle timeout that keeps the partial text", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session: tight }), fast);
    upstream.enqueue({ text: ["first ", "late"], chunkDelayMs: 10_000 });
    const out = await collect(client);
    const error = errorOf(out);
    assert.equal(out.text, "first ");
    assert.equal(error.error.code, "idle_timeout");
    assert.equal(error.afterOutput, true);
    assert.deepEqual(modelsCalled(), ["main-model"]);
  });

  it("aborting mid-stream ends with `aborted` and closes the vendor request", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session }), fast);
    upstream.enqueue({ tokens: 500, chunkDelayMs: 5 });
    const controller = new AbortController();
    const out = await collect(client, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "text_delta") controller.abort();
      },
    });
    const error = errorOf(out);
    assert.equal(error.error.code, "aborted");
    assert.equal(error.afterOutput, true);
    assert.ok(out.text.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(upstream.requests.at(-1)?.clientAborted, true);
    assert.deepEqual(modelsCalled(), ["main-model"]);
  });

  it("a consumer that stops reading closes the vendor request and leaves no timer behind", async () => {
    const inner = scaledTimers(0.2);
    const pending = new Set<unknown>();
    const counting: Timers = {
      now: inner.now,
      setTimeout: (callback, ms) => {
        const handle = inner.setTimeout(() => {
          pending.delete(handle);
          callback();
        }, ms);
        pending.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        pending.delete(handle);
        inner.clearTimeout(handle);
      },
    };
    const { client } = clientFor(buildConfig({ providers, main, session }), { ...fast, timers: counting });
    upstream.enqueue({ tokens: 500, chunkDelayMs: 5 });
    const signal = new AbortController().signal;
    for await (const event of client.stream({
      role: "Main",
      messages: [{ role: "user", content: "x" }],
      signal,
    })) {
      if (event.type === "text_delta") break;
    }
    assert.equal(pending.size, 0, "the watchdog timer was cleared");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(upstream.requests.at(-1)?.clientAborted, true);
  });

  it("a request whose signal is already aborted calls nothing", async () => {
    const { client } = clientFor(buildConfig({ providers, main, session }), fast);
    const error = errorOf(await collect(client, { signal: AbortSignal.abort() }));
    assert.equal(error.error.code, "aborted");
    assert.deepEqual(modelsCalled(), []);
  });

  it("aborting during a hang or a backoff ends at once with `aborted`", async () => {
    const { client } = clientFor(buildConfig({ providers, main, session }), fast);
    upstream.enqueue({ failure: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = errorOf(await collect(client, { signal: controller.signal }));
    assert.equal(error.error.code, "aborted");
    assert.equal(error.afterOutput, false);
    // Real-time timers here: the backoff after this 429 is a full second.
    const slow = clientFor(buildConfig({ providers, main, session }), {
      timers: realTimers,
      random: () => 0.5,
    });
    upstream.enqueue({ failure: { status: 429 } });
    const second = new AbortController();
    setTimeout(() => second.abort(), 60);
    const started = performance.now();
    assert.equal(errorOf(await collect(slow.client, { signal: second.signal })).error.code, "aborted");
    assert.ok(performance.now() - started < 800, "did not sit out the 1 s backoff");
  });

  it("with no model configured, every stream ends with no_model and calls nothing", async () => {
    const { client, resolution } = clientFor(buildConfig({ providers }));
    assert.equal(resolution.state, "none");
    assert.equal(client.configured, false);
    const out = await collect(client);
    assert.equal(out.events.length, 1);
    const error = errorOf(out);
    assert.equal(error.error.code, "no_model");
    assert.ok(error.error.message.startsWith(NO_MODEL_MESSAGE));
    assert.match(error.error.message, /NETCLAW_Models__Main__Provider/);
    assert.equal(await client.contextWindow("Main"), 32768);
    assert.equal(upstream.requests.length, 0);
  });
});
