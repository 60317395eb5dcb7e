import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { buildConfig, clientFor, collect, type ProviderSpec } from "./fixtures/harness.ts";

/** `VendorOptions.Reasoning` reaches each vendor as its own request field, through the real SDK. */
describe("VendorOptions.Reasoning", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream();
  });
  after(() => upstream.close());

  // A model id the SDKs know as a reasoning model (the OpenAI SDK drops the settings otherwise).
  const bodyFor = async (provider: ProviderSpec) => {
    const { client } = clientFor(
      buildConfig({ providers: { p: provider }, main: { Provider: "p", ModelId: "o4-mini" } }),
    );
    upstream.enqueue({ thinking: "hmm", text: "ok" });
    const out = await collect(client);
    assert.equal(out.last?.type, "done", JSON.stringify(out.last));
    return (upstream.requests.at(-1)?.body ?? {}) as Record<string, unknown>;
  };
  const medium = { Reasoning: "Medium" };

  it("anthropic: thinking enabled with a budget (the SDK sizes it)", async () => {
    const body = await bodyFor({
      Type: "anthropic",
      Endpoint: upstream.url,
      ApiKey: "k",
      VendorOptions: medium,
    });
    const thinking = body["thinking"] as { type?: string; budget_tokens?: number } | undefined;
    assert.equal(thinking?.type, "enabled", JSON.stringify(body));
    assert.ok((thinking?.budget_tokens ?? 0) >= 1024, "at least Anthropic's minimum budget");
    const plain = await bodyFor({ Type: "anthropic", Endpoint: upstream.url, ApiKey: "k" });
    assert.equal(plain["thinking"], undefined);
  });

  it("openai: reasoning_effort on chat completions, effort + summary on the Responses API", async () => {
    const chat = await bodyFor({
      Type: "openai",
      Endpoint: upstream.url,
      ApiKey: "k",
      VendorOptions: medium,
    });
    assert.equal(chat["reasoning_effort"], "medium");
    const responses = await bodyFor({
      Type: "openai",
      Endpoint: upstream.url,
      ApiKey: "k",
      VendorOptions: { ...medium, Api: "responses" },
    });
    assert.deepEqual(responses["reasoning"], { effort: "medium", summary: "auto" });
  });

  it("openrouter: the unified reasoning field", async () => {
    const body = await bodyFor({
      Type: "openrouter",
      Endpoint: upstream.url,
      ApiKey: "k",
      VendorOptions: medium,
    });
    assert.deepEqual(body["reasoning"], { effort: "medium" });
    const plain = await bodyFor({ Type: "openrouter", Endpoint: upstream.url, ApiKey: "k" });
    assert.equal(plain["reasoning"], undefined);
  });

  it("ollama: think on, or off", async () => {
    assert.equal(
      (await bodyFor({ Type: "ollama", Endpoint: upstream.url, VendorOptions: medium }))["think"],
      true,
    );
    const off = await bodyFor({
      Type: "ollama",
      Endpoint: upstream.url,
      VendorOptions: { Reasoning: "off" },
    });
    assert.equal(off["think"], false);
    // Unset: no `think` field at all, so Ollama's own default applies.
    assert.equal("think" in (await bodyFor({ Type: "ollama", Endpoint: upstream.url })), false);
  });
});
