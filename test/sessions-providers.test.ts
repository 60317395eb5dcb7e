import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind } from "./helpers/model-env.ts";
import { cleanEnv, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient, openEventStream, turnCompleted } from "./helpers/sse-client.ts";

const homes = tempHomes();
let upstream: FakeUpstream;

before(async () => {
  upstream = await createFakeUpstream({
    handler: (request) => {
      if (callKind(request) === "title") return { text: "Checking The Disk" };
      if (request.endsWithToolResult) return { text: "The disk is fine." };
      return { toolCalls: [{ name: "disk_usage", arguments: { path: "/" } }] };
    },
  });
});
after(async () => {
  await upstream?.close();
  homes.cleanup();
});

const endpoints = () =>
  ({
    anthropic: upstream.anthropicBaseUrl,
    ollama: upstream.url,
    openai: upstream.openaiBaseUrl,
    openrouter: upstream.openrouterBaseUrl,
    "openai-compatible": upstream.openaiBaseUrl,
  }) as const;

// The loop's prompt shape (identity system prompt, time block, tool call + result) must be
// accepted by every vendor's wire protocol, not just the OpenAI-style ones.
describe("a tool-using turn through the daemon works with every provider type", () => {
  for (const type of ["anthropic", "ollama", "openai", "openrouter", "openai-compatible"] as const) {
    test(type, async () => {
      const daemon = await startDaemon({
        env: cleanEnv({
          NETCLAW_HOME: homes.home(),
          NETCLAW_Providers__vendor__Type: type,
          NETCLAW_Providers__vendor__Endpoint: endpoints()[type],
          NETCLAW_Providers__vendor__ApiKey: "test-key",
          NETCLAW_Models__Main__Provider: "vendor",
          NETCLAW_Models__Main__ModelId: "fake-model",
        }),
      });
      try {
        const api = apiClient(daemon.url);
        const id = await api.createSession();
        const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
        await api.send(id, "how is the disk?");
        const seen = await stream.until((e) => e.type === "session_title");
        await stream.close();
        const errors = seen.filter((e) => e.type === "error");
        assert.deepEqual(errors, []);
        const done = seen.find(turnCompleted(1));
        assert.ok(done?.type === "turn_completed" && done.status === "completed");
        assert.ok(seen.some((e) => e.type === "tool_result" && e.toolName === "disk_usage"));
        const text = seen.find((e) => e.type === "text");
        assert.ok(text?.type === "text" && text.text === "The disk is fine.");
      } finally {
        await daemon.stop();
      }
    });
  }
});
