import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream, type ProtocolId } from "../../../test/fakes/llm-upstream.ts";
import { buildConfig, clientFor, collect, type ProviderSpec, weatherTool } from "./fixtures/harness.ts";

const KEY = "sk-test-key";
const reply = {
  thinking: "Think about Lima.",
  text: "Here is the weather.",
  toolCalls: [{ name: "get_weather", arguments: { city: "Lima", days: 2 } }],
  usage: { input: 31, output: 17 },
};

type Case = {
  type: string;
  protocol: ProtocolId;
  path: string;
  /** Endpoint as a user would write it, given the fake's root URL. */
  endpoint: (upstream: FakeUpstream) => string;
  vendorOptions?: Record<string, string>;
  /** Whether the vendor's protocol carries reasoning that the SDK reports. */
  reasoning: boolean;
};

// Endpoints are given as users write them (host only, or the vendor's documented base) so the
// adapters' default-path handling is exercised too.
const cases: Case[] = [
  {
    type: "openai",
    protocol: "openai-chat",
    path: "/v1/chat/completions",
    endpoint: (u) => u.url,
    reasoning: false,
  },
  {
    type: "openai",
    protocol: "openai-responses",
    path: "/v1/responses",
    endpoint: (u) => u.openaiBaseUrl,
    vendorOptions: { Api: "responses" },
    reasoning: true,
  },
  { type: "anthropic", protocol: "anthropic", path: "/v1/messages", endpoint: (u) => u.url, reasoning: true },
  { type: "ollama", protocol: "ollama", path: "/api/chat", endpoint: (u) => u.url, reasoning: true },
  {
    type: "openrouter",
    protocol: "openrouter",
    path: "/api/v1/chat/completions",
    endpoint: (u) => u.url,
    reasoning: true,
  },
  {
    type: "openai-compatible",
    protocol: "openai-chat",
    path: "/v1/chat/completions",
    endpoint: (u) => u.openaiBaseUrl,
    reasoning: true,
  },
];

describe("ModelClient through the real SDK providers", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream({ apiKey: { openai: KEY, anthropic: KEY, openrouter: KEY } });
  });
  after(() => upstream.close());

  for (const c of cases) {
    const label = `${c.type}${c.vendorOptions ? " (responses API)" : ""}`;
    const provider = (): ProviderSpec => ({
      Type: c.type,
      Endpoint: c.endpoint(upstream),
      ...(c.type === "ollama" ? {} : { ApiKey: KEY }),
      ...(c.vendorOptions === undefined ? {} : { VendorOptions: c.vendorOptions }),
    });

    it(`${label}: streams text${c.reasoning ? ", reasoning" : ""}, a tool call with arguments and usage`, async () => {
      const config = buildConfig({
        providers: { vendor: provider() },
        main: { Provider: "vendor", ModelId: "fake-model" },
      });
      const { client } = clientFor(config);
      assert.equal(client.configured, true);
      upstream.enqueue(reply);
      const out = await collect(client, { tools: [weatherTool], prompt: "weather in Lima?" });
      assert.deepEqual(out.last?.type, "done", JSON.stringify(out.last));
      assert.equal(out.text, reply.text);
      if (c.reasoning) assert.equal(out.thinking, reply.thinking);
      assert.deepEqual(
        out.toolCalls.map((call) => [call.name, call.arguments]),
        [["get_weather", { city: "Lima", days: 2 }]],
      );
      assert.ok(out.toolCalls[0]?.id);
      assert.deepEqual(out.usage, { inputTokens: 31, outputTokens: 17 });
      assert.deepEqual(out.events[0], {
        type: "start",
        model: { role: "Main", provider: "vendor", providerType: c.type, modelId: "fake-model" },
      });
      const done = out.last;
      assert.equal(done?.type === "done" && done.finishReason, "tool_calls");
      const request = upstream.requests.at(-1);
      assert.equal(request?.protocol, c.protocol);
      assert.equal(request?.path, c.path);
      assert.equal(request?.model, "fake-model");
      assert.equal(request?.lastUserText, "weather in Lima?");
    });

    it(`${label}: sends the tool result back and streams the final answer`, async () => {
      const config = buildConfig({
        providers: { vendor: provider() },
        main: { Provider: "vendor", ModelId: "fake-model" },
      });
      const { client } = clientFor(config);
      upstream.enqueue("It is sunny in Lima.");
      const out = await collect(client, {
        tools: [weatherTool],
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "weather in Lima?" },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Lima" } }],
          },
          { role: "tool", toolCallId: "call_1", toolName: "get_weather", content: "sunny, 24 C" },
        ],
      });
      assert.equal(out.text, "It is sunny in Lima.", JSON.stringify(out.last));
      assert.equal(out.last?.type === "done" && out.last.finishReason, "stop");
      assert.equal(upstream.requests.at(-1)?.endsWithToolResult, true);
      assert.match(upstream.requests.at(-1)?.rawBody ?? "", /sunny, 24 C/);
      assert.match(upstream.requests.at(-1)?.rawBody ?? "", /You are terse/);
    });
  }

  it("passes unknown tools and off-schema arguments through: the loop validates and answers them", async () => {
    const config = buildConfig({
      providers: { oa: { Type: "openai", Endpoint: upstream.openaiBaseUrl, ApiKey: KEY } },
      main: { Provider: "oa", ModelId: "m" },
    });
    const { client } = clientFor(config);
    upstream.enqueue({
      toolCalls: [
        { name: "no_such_tool", arguments: { a: 1 } },
        { name: "get_weather", arguments: { city: 5 } },
      ],
    });
    const out = await collect(client, { tools: [weatherTool] });
    assert.deepEqual(
      out.toolCalls.map((call) => [call.name, call.arguments]),
      [
        ["no_such_tool", { a: 1 }],
        ["get_weather", { city: 5 }],
      ],
    );
    assert.equal(out.last?.type === "done" && out.last.finishReason, "tool_calls");
  });

  it("openrouter: sends netclaw's attribution headers", async () => {
    const config = buildConfig({
      providers: { or: { Type: "openrouter", Endpoint: upstream.openrouterBaseUrl, ApiKey: KEY } },
      main: { Provider: "or", ModelId: "anthropic/claude-sonnet-4.5" },
    });
    const { client } = clientFor(config);
    await collect(client);
    const request = upstream.requests.at(-1);
    assert.deepEqual(request?.attribution, { referer: "https://netclaw.dev", title: "netclaw" });
    assert.equal(request?.headers["x-openrouter-title"], "netclaw");
    assert.equal(request?.headers["authorization"], `Bearer ${KEY}`);
  });

  it("ollama: sends a configured key as a bearer token", async () => {
    const config = buildConfig({
      providers: { local: { Type: "ollama", Endpoint: `${upstream.url}/api`, ApiKey: "proxy-key" } },
      main: { Provider: "local", ModelId: "fake-model" },
    });
    const { client } = clientFor(config);
    const out = await collect(client, { prompt: "ping" });
    assert.equal(out.text, "echo: ping");
    assert.equal(upstream.requests.at(-1)?.path, "/api/chat");
    assert.equal(upstream.requests.at(-1)?.headers["authorization"], "Bearer proxy-key");
  });

  it("a wrong key ends with auth_failed naming the fix, without failover", async () => {
    const config = buildConfig({
      providers: { a: { Type: "anthropic", Endpoint: upstream.url, ApiKey: "wrong" } },
      main: { Provider: "a", ModelId: "fake-model" },
    });
    const { client } = clientFor(config);
    const out = await collect(client);
    assert.equal(out.last?.type, "error");
    if (out.last?.type !== "error") return;
    assert.equal(out.last.error.code, "auth_failed");
    assert.equal(out.last.error.status, 401);
    assert.match(out.last.error.message, /ApiKey/);
    assert.equal(out.last.afterOutput, false);
  });
});
