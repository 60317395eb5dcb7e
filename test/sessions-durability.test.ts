import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NO_MODEL_ANSWER } from "../src/daemon/agent/turn-loop.ts";
import { createFakeUpstream, type FakeUpstream, type ReplyInput } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { cleanEnv, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient, openEventStream, turnCompleted } from "./helpers/sse-client.ts";

const homes = tempHomes();
let upstream: FakeUpstream;
/** Turn replies by the text of the user message; titles are fixed. */
const scripted = new Map<string, ReplyInput>();

before(async () => {
  upstream = await createFakeUpstream({
    handler: (request) => {
      const kind = callKind(request);
      if (kind === "title") return { text: "A Durable Conversation" };
      if (kind === "summary") return { text: "- [!] the user asked about alpha\nCurrent task: gamma" };
      return scripted.get(request.lastUserText ?? "");
    },
  });
});
after(async () => {
  await upstream?.close();
  homes.cleanup();
});

const turnRequests = () =>
  upstream.requests.filter((r) => r.protocol !== undefined && callKind(r) === "turn");
const messagesOf = (request: { body?: Readonly<Record<string, unknown>> | undefined }) =>
  (request.body?.["messages"] ?? []) as { role: string; content: unknown }[];

describe("sessions survive restarts and crashes", () => {
  test("history persists across a clean restart, resumes from the store, and the next turn sees it", async () => {
    const home = homes.home();
    const env = fakeModelEnv({ home, upstream });
    const first = await startDaemon({ env });
    let api = apiClient(first.url);
    const id = await api.createSession({ name: "durable" });
    const stream = await openEventStream({ url: `${first.url}/api/sessions/${id}/events` });
    scripted.set("remember alpha", { text: "noted alpha" });
    await api.send(id, "remember alpha");
    const live = await stream.until((e) => e.type === "session_title");
    await stream.close();
    const before = await api.transcript(id);
    assert.equal((await first.stop()).code, 0);

    const second = await startDaemon({ env });
    try {
      api = apiClient(second.url);
      assert.deepEqual(await api.transcript(id), before);
      const list = (await api.call("GET", "/api/sessions")).body.sessions;
      assert.equal(list[0].sessionId, id);
      assert.equal(list[0].title, "A Durable Conversation");
      // Resuming from an id of the previous run replays the stored events after it (no deltas).
      const userEvent = live.find((e) => e.type === "user_message")!;
      const resumed = await openEventStream({
        url: `${second.url}/api/sessions/${id}/events`,
        lastEventId: userEvent.id,
      });
      const replay = await resumed.until((e) => e.type === "session_title");
      assert.deepEqual(
        replay.map((e) => e.id),
        before.filter((e) => e.id > userEvent.id).map((e) => e.id),
      );
      scripted.set("what did I say?", { text: "you said alpha" });
      await api.send(id, "what did I say?");
      const next = await resumed.until(turnCompleted(2));
      await resumed.close();
      assert.ok(next.at(-1)!.id > Math.max(...live.map((e) => e.id)));
      const contents = messagesOf(turnRequests().at(-1)!).map((m) => m.content);
      assert.ok(contents.includes("remember alpha"));
      assert.ok(contents.includes("noted alpha"));
    } finally {
      await second.stop();
    }
  });

  test("kill -9 mid-stream: history intact, the turn is marked interrupted, the stream resumes, the session continues", async () => {
    const home = homes.home();
    const env = fakeModelEnv({ home, upstream });
    const first = await startDaemon({ env });
    let api = apiClient(first.url);
    const id = await api.createSession();
    const stream = await openEventStream({ url: `${first.url}/api/sessions/${id}/events` });
    scripted.set("write an essay", { text: "Essay:", tokens: 2000, chunkDelayMs: 20 });
    await api.send(id, "write an essay");
    let deltas = 0;
    let lastSeen: number;
    try {
      const seen = await stream.until((e) => e.type === "text_delta" && ++deltas === 20);
      lastSeen = seen.at(-1)!.id;
    } finally {
      first.child.kill("SIGKILL");
      await first.exited;
      await stream.close();
    }

    const second = await startDaemon({ env });
    try {
      api = apiClient(second.url);
      const stored = await api.transcript(id);
      assert.deepEqual(
        stored.map((e) => e.type),
        ["user_message", "turn_started", "error", "turn_completed"],
      );
      const [message, , error, completed] = stored;
      assert.ok(message?.type === "user_message" && message.text === "write an essay");
      assert.ok(error?.type === "error" && error.code === "turn_interrupted");
      assert.ok(completed?.type === "turn_completed" && completed.status === "interrupted");
      assert.ok(error.id > lastSeen, "no id seen before the crash is reused");
      const summary = (await api.call("GET", `/api/sessions/${id}`)).body.session;
      assert.equal(summary.status, "idle");

      // The client that was cut off resumes after the last delta it saw: nothing lost or repeated.
      const resumed = await openEventStream({
        url: `${second.url}/api/sessions/${id}/events`,
        lastEventId: lastSeen,
      });
      const replay = await resumed.until(turnCompleted(1));
      assert.deepEqual(
        replay.map((e) => e.id),
        [error.id, completed.id],
      );
      scripted.set("short version please", { text: "Short." });
      await api.send(id, "short version please");
      const next = await resumed.until(turnCompleted(2));
      await resumed.close();
      const done = next.at(-1)!;
      assert.ok(done.type === "turn_completed" && done.status === "completed");
      const contents = messagesOf(turnRequests().at(-1)!).map((m) => m.content);
      assert.ok(contents.some((c) => typeof c === "string" && c.includes("write an essay")));
    } finally {
      await second.stop();
    }
  });

  test("SIGTERM drains: a turn that outlives Daemon.ShutdownDrainSeconds is stored as interrupted, partial text kept", async () => {
    const home = homes.home();
    const env = fakeModelEnv({ home, upstream, extra: { NETCLAW_Daemon__ShutdownDrainSeconds: "1" } });
    const first = await startDaemon({ env });
    const api1 = apiClient(first.url);
    const id = await api1.createSession();
    const stream = await openEventStream({ url: `${first.url}/api/sessions/${id}/events` });
    scripted.set("never ending", { text: "Going", tokens: 5000, chunkDelayMs: 20 });
    await api1.send(id, "never ending");
    await stream.until((e) => e.type === "text_delta");
    const exit = await first.stop();
    assert.equal(exit.code, 0);
    const seen = await stream.until(turnCompleted(1));
    await stream.close();
    const done = seen.at(-1)!;
    assert.ok(done.type === "turn_completed" && done.status === "interrupted");

    const second = await startDaemon({ env });
    try {
      const stored = await apiClient(second.url).transcript(id);
      const text = stored.find((e) => e.type === "text");
      assert.ok(text?.type === "text" && text.partial === "interrupted" && text.text.startsWith("Going"));
      assert.equal(stored.at(-1)!.type, "turn_completed");
    } finally {
      await second.stop();
    }
  });

  test("a malformed vendor response becomes an error event and the daemon keeps serving", async () => {
    const daemon = await startDaemon({ env: fakeModelEnv({ home: homes.home(), upstream }) });
    try {
      const api = apiClient(daemon.url);
      const id = await api.createSession();
      const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
      scripted.set("break it", { text: "half", failure: "malformed" });
      await api.send(id, "break it");
      const seen = await stream.until(turnCompleted(1));
      const error = seen.find((e) => e.type === "error");
      assert.ok(error?.type === "error", `saw ${seen.map((e) => e.type).join(", ")}`);
      const done = seen.at(-1)!;
      assert.ok(done.type === "turn_completed" && done.status === "failed");
      scripted.set("are you ok?", { text: "all good" });
      await api.send(id, "are you ok?");
      const next = await stream.until(turnCompleted(2));
      await stream.close();
      const last = next.at(-1)!;
      assert.ok(last.type === "turn_completed" && last.status === "completed");
      assert.equal((await fetch(`${daemon.url}/api/health/ready`)).status, 200);
    } finally {
      await daemon.stop();
    }
  });

  test("compaction: past the threshold, old messages go behind a Compaction-model summary", async () => {
    const daemon = await startDaemon({
      env: fakeModelEnv({
        home: homes.home(),
        upstream,
        extra: { NETCLAW_Models__Main__ContextWindow: "4096" },
      }),
    });
    try {
      const api = apiClient(daemon.url);
      const id = await api.createSession();
      const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
      const filler = "lorem ipsum ".repeat(150);
      scripted.set("tell me about alpha", { text: `alpha ${filler}`, usage: { input: 900, output: 300 } });
      scripted.set("and beta", { text: `beta ${filler}`, usage: { input: 1800, output: 300 } });
      scripted.set("and gamma", { text: "gamma", usage: { input: 3500, output: 10 } });
      let turn = 0;
      for (const text of ["tell me about alpha", "and beta", "and gamma"]) {
        await api.send(id, text);
        await stream.until(turnCompleted(++turn));
      }
      const compaction = await stream.until((e) => e.type === "compaction");
      const event = compaction.at(-1)!;
      assert.ok(event.type === "compaction");
      assert.equal(event.summary, "- [!] the user asked about alpha\nCurrent task: gamma");
      assert.ok(event.messagesAfter < event.messagesBefore);
      const usage = compaction.filter((e) => e.type === "usage").at(-1)!;
      assert.ok(usage.type === "usage" && usage.contextWindowTokens === 4096 && usage.usagePercent > 75);

      scripted.set("and delta", { text: "delta" });
      await api.send(id, "and delta");
      await stream.until(turnCompleted(4));
      await stream.close();
      const contents = messagesOf(turnRequests().at(-1)!).map((m) => String(m.content));
      assert.ok(contents.some((c) => c.startsWith("[observations from earlier in this session]")));
      assert.ok(!contents.includes("tell me about alpha"));
      assert.ok(contents.includes("and delta"));
    } finally {
      await daemon.stop();
    }
  });

  test("no model configured: the turn answers with the notice and the fix, calling nothing", async () => {
    const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: homes.home() }) });
    try {
      const api = apiClient(daemon.url);
      const id = await api.createSession({ channel: "headless" });
      const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
      const requestsBefore = upstream.requests.length;
      await api.send(id, "hello?");
      const seen = await stream.until(turnCompleted(1));
      await stream.close();
      const text = seen.find((e) => e.type === "text");
      assert.ok(text?.type === "text");
      assert.equal(text.text, NO_MODEL_ANSWER);
      assert.ok(text.text.startsWith("No valid model configuration detected."));
      assert.ok(!seen.some((e) => e.type === "session_title"));
      assert.equal(upstream.requests.length, requestsBefore);
    } finally {
      await daemon.stop();
    }
  });

  test("the seed's own environment configuration, pointed at a fake OpenRouter, answers", async () => {
    const daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: homes.home(),
        NETCLAW_Providers__openrouter__Type: "openrouter",
        NETCLAW_Providers__openrouter__ApiKey: "sk-or-v1-test",
        NETCLAW_Providers__openrouter__Endpoint: `${upstream.url}/api/v1`,
        NETCLAW_Models__Main__Provider: "openrouter",
        NETCLAW_Models__Main__ModelId: "anthropic/claude-sonnet-4",
      }),
    });
    try {
      const api = apiClient(daemon.url);
      const id = await api.createSession();
      const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
      scripted.set("ping via openrouter", { text: "pong from openrouter" });
      await api.send(id, "ping via openrouter");
      const seen = await stream.until(turnCompleted(1));
      await stream.close();
      const text = seen.find((e) => e.type === "text");
      assert.ok(text?.type === "text" && text.text === "pong from openrouter");
      const call = upstream.requests.filter((r) => r.vendor === "openrouter" && r.protocol).at(-1)!;
      assert.equal(call.model, "anthropic/claude-sonnet-4");
      assert.equal(call.headers["authorization"], "Bearer sk-or-v1-test");
    } finally {
      await daemon.stop();
    }
  });
});
