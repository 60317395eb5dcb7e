import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { buildConfig, type Collected, clientFor, collect, type ProviderSpec } from "./fixtures/harness.ts";
import { scaledTimers } from "./timers.ts";

// Broken or failing vendor streams: each ends in one error event (or a failover), never a crash.
const fast = { timers: scaledTimers(0.2), random: () => 0.5 };
const session = { FirstTokenTimeoutSeconds: 5, IdleTimeoutSeconds: 5 };

function errorOf(out: Collected) {
  const last = out.last;
  assert.equal(last?.type, "error", `expected an error, got ${JSON.stringify(last)}`);
  return last?.type === "error" ? last : assert.fail("unreachable");
}

describe("ModelClient on broken vendor streams", () => {
  let upstream: FakeUpstream;
  let providers: Record<string, ProviderSpec>;
  const main = { Provider: "oa", ModelId: "main-model" };
  const fallback = { Provider: "an", ModelId: "fallback-model" };
  const modelsCalled = () => upstream.requests.filter((r) => r.protocol !== undefined).map((r) => r.model);

  before(async () => {
    upstream = await createFakeUpstream();
    providers = {
      oa: { Type: "openai", Endpoint: upstream.openaiBaseUrl, ApiKey: "k" },
      an: { Type: "anthropic", Endpoint: upstream.anthropicBaseUrl, ApiKey: "k" },
      ol: { Type: "ollama", Endpoint: upstream.url },
      or: { Type: "openrouter", Endpoint: upstream.openrouterBaseUrl, ApiKey: "k" },
      oc: { Type: "openai-compatible", Endpoint: upstream.openaiBaseUrl },
    };
  });
  beforeEach(() => upstream.clearRequests());
  after(() => upstream.close());

  for (const name of ["oa", "an", "ol", "or", "oc"]) {
    it(`a malformed chunk from ${name} ends with malformed_response, never a crash`, async () => {
      const { client } = clientFor(
        buildConfig({ providers, main: { Provider: name, ModelId: "fake-model" }, fallback, session }),
        fast,
      );
      upstream.enqueue({ text: "one two three", failure: "malformed" });
      const out = await collect(client);
      const error = errorOf(out);
      assert.equal(error.error.code, "malformed_response", error.error.message);
      assert.equal(error.afterOutput, true);
      assert.equal(out.text, "one ");
    });
  }

  it("Anthropic's in-stream overloaded error before output fails over", async () => {
    const { client } = clientFor(
      buildConfig({ providers, main: { Provider: "an", ModelId: "claude" }, fallback: main, session }),
      fast,
    );
    upstream.enqueue(
      { text: "never", failure: { streamError: { type: "overloaded_error", afterChunks: 0 } } },
      "ok",
    );
    const out = await collect(client);
    assert.equal(out.text, "ok");
    assert.deepEqual(modelsCalled(), ["claude", "main-model"]);
  });

  it("Ollama's in-stream error line after output is an error event, not a short success", async () => {
    const { client } = clientFor(
      buildConfig({ providers, main: { Provider: "ol", ModelId: "m" }, session }),
      fast,
    );
    upstream.enqueue({
      text: "one two three",
      failure: { streamError: { message: "runner crashed", afterChunks: 1 } },
    });
    const out = await collect(client);
    const error = errorOf(out);
    assert.equal(out.text, "one ");
    assert.match(error.error.message, /runner crashed/);
    assert.equal(error.afterOutput, true);
  });

  it("a context-length 400 is context_overflow (for the loop to compact), with no failover", async () => {
    const { client } = clientFor(buildConfig({ providers, main, fallback, session }), fast);
    upstream.enqueue({
      failure: {
        status: 400,
        body: {
          error: {
            message: "This model's maximum context length is 8192 tokens.",
            type: "invalid_request_error",
          },
        },
      },
    });
    const error = errorOf(await collect(client));
    assert.equal(error.error.code, "context_overflow");
    assert.equal(error.error.status, 400);
    assert.deepEqual(modelsCalled(), ["main-model"]);
  });
});
