import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { buildConfig, clientFor, type ProviderSpec } from "./fixtures/harness.ts";

describe("ModelClient.contextWindow", () => {
  let upstream: FakeUpstream;
  let providers: Record<string, ProviderSpec>;
  before(async () => {
    upstream = await createFakeUpstream({
      models: [
        { id: "qwen3:8b", contextLength: 40960, family: "qwen3" },
        { id: "fake-thinker", contextLength: 200000 },
      ],
    });
    providers = {
      ol: { Type: "ollama", Endpoint: upstream.url },
      or: { Type: "openrouter", Endpoint: upstream.openrouterBaseUrl, ApiKey: "k" },
      oa: { Type: "openai", Endpoint: upstream.openaiBaseUrl, ApiKey: "k" },
      oc: { Type: "openai-compatible", Endpoint: upstream.openaiBaseUrl },
    };
  });
  beforeEach(() => upstream.clearRequests());
  after(() => upstream.close());

  const windowOf = async (main: { Provider: string; ModelId: string; ContextWindow?: number }) => {
    const { client } = clientFor(buildConfig({ providers, main }));
    return { client, value: await client.contextWindow("Main") };
  };

  it("detects Ollama's window from /api/show and caches it per model", async () => {
    const { client, value } = await windowOf({ Provider: "ol", ModelId: "qwen3:8b" });
    assert.equal(value, 40960);
    assert.equal(await client.contextWindow("Main"), 40960);
    assert.equal(await client.contextWindow("Compaction"), 40960);
    const shows = upstream.requests.filter((request) => request.path === "/api/show");
    assert.equal(shows.length, 1);
    assert.deepEqual(shows[0]?.body, { model: "qwen3:8b" });
  });

  it("detects OpenRouter's window from its model list", async () => {
    const { value } = await windowOf({ Provider: "or", ModelId: "fake-thinker" });
    assert.equal(value, 200000);
    assert.equal(upstream.requests.at(-1)?.path, "/api/v1/models");
    assert.equal(upstream.requests.at(-1)?.headers["authorization"], "Bearer k");
  });

  it("lets a configured ContextWindow cap the detected one", async () => {
    assert.equal(
      (await windowOf({ Provider: "or", ModelId: "fake-thinker", ContextWindow: 8192 })).value,
      8192,
    );
    // Configured above what the provider reports: the provider's figure wins.
    assert.equal(
      (await windowOf({ Provider: "ol", ModelId: "qwen3:8b", ContextWindow: 65536 })).value,
      40960,
    );
    // Nothing to detect (OpenAI): the configured value stands.
    assert.equal((await windowOf({ Provider: "oa", ModelId: "gpt-x", ContextWindow: 100000 })).value, 100000);
  });

  it("falls back to 32768 when nothing is configured or detected", async () => {
    assert.equal((await windowOf({ Provider: "oa", ModelId: "gpt-x" })).value, 32768);
    // The OpenAI-compatible list has no window field; an unknown Ollama model is a 404.
    assert.equal((await windowOf({ Provider: "oc", ModelId: "fake-thinker" })).value, 32768);
    assert.equal((await windowOf({ Provider: "ol", ModelId: "missing:1b" })).value, 32768);
    assert.equal((await windowOf({ Provider: "or", ModelId: "not/listed" })).value, 32768);
  });

  it("never blocks a turn: a provider that does not answer gives the default after a short timeout", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const config = buildConfig({
        providers: { slow: { Type: "ollama", Endpoint: `http://127.0.0.1:${port}` } },
        main: { Provider: "slow", ModelId: "m" },
      });
      const { client } = clientFor(config, { contextDetectionTimeoutMs: 100 });
      const started = performance.now();
      assert.equal(await client.contextWindow("Main"), 32768);
      assert.ok(performance.now() - started < 1000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("retries a failed detection only after a minute (injected clock)", async () => {
    let now = 1_000_000;
    const config = buildConfig({ providers, main: { Provider: "ol", ModelId: "missing:1b" } });
    const { client } = clientFor(config, { now: () => now });
    const shows = () => upstream.requests.filter((request) => request.path === "/api/show").length;
    assert.equal(await client.contextWindow("Main"), 32768);
    assert.equal(await client.contextWindow("Main"), 32768);
    assert.equal(shows(), 1);
    now += 61_000;
    await client.contextWindow("Main");
    assert.equal(shows(), 2);
  });
});
