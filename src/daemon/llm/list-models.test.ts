import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { listModels, ModelListError } from "./list-models.ts";

describe("listModels", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({
      apiKey: { openrouter: "k", anthropic: "k", openai: "k" },
      models: [{ id: "qwen3:8b", contextLength: 40960 }, { id: "big-model" }],
    });
  });
  after(() => upstream.close());

  it("lists each vendor's models from its own endpoint", async () => {
    const ids = async (provider: Parameters<typeof listModels>[0]["provider"]) =>
      (await listModels({ name: "p", provider })).map((model) => model.id);
    assert.deepEqual(await ids({ Type: "ollama", Endpoint: upstream.url }), ["qwen3:8b", "big-model:latest"]);
    assert.equal(upstream.requests.at(-1)?.path, "/api/tags");
    assert.deepEqual(await ids({ Type: "anthropic", Endpoint: upstream.url, ApiKey: "k" }), [
      "qwen3:8b",
      "big-model",
    ]);
    assert.equal(upstream.requests.at(-1)?.headers["anthropic-version"], "2023-06-01");
    assert.deepEqual(await ids({ Type: "openai", Endpoint: upstream.url, ApiKey: "k" }), [
      "qwen3:8b",
      "big-model",
    ]);
    assert.deepEqual(
      await ids({ Type: "openai-compatible", Endpoint: upstream.openaiBaseUrl, ApiKey: "k" }),
      ["qwen3:8b", "big-model"],
    );
  });

  it("reports OpenRouter's context windows", async () => {
    const models = await listModels({
      name: "or",
      provider: { Type: "openrouter", Endpoint: upstream.url, ApiKey: "k" },
    });
    assert.deepEqual(models, [
      { id: "qwen3:8b", contextWindow: 40960 },
      { id: "big-model", contextWindow: 131072 },
    ]);
  });

  it("names the provider and the fix when the key is refused or the server is down", async () => {
    await assert.rejects(
      listModels({ name: "or", provider: { Type: "openrouter", Endpoint: upstream.url, ApiKey: "bad" } }),
      (error: unknown) =>
        error instanceof ModelListError && /netclaw secrets set Providers\.or\.ApiKey/.test(error.message),
    );
    await assert.rejects(
      listModels({ name: "gone", provider: { Type: "ollama", Endpoint: "http://127.0.0.1:9" } }),
      /Could not list the models of provider 'gone' \(ollama\) at http:\/\/127\.0\.0\.1:9\/api: .*Providers\.gone\.Endpoint/,
    );
  });
});
