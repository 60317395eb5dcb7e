import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { type RunningDaemon, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient, openEventStream, turnCompleted } from "./helpers/sse-client.ts";

const homes = tempHomes();
let upstream: FakeUpstream;
let daemon: RunningDaemon;
let api: ReturnType<typeof apiClient>;
/** Turn replies by the text of the user message; titles are fixed. */
const scripted = new Map<string, Parameters<FakeUpstream["enqueue"]>[0]>();

before(async () => {
  upstream = await createFakeUpstream({
    handler: (request) => {
      if (callKind(request) === "title") return { text: "Talking About Things" };
      return scripted.get(request.lastUserText ?? "");
    },
  });
  daemon = await startDaemon({ env: fakeModelEnv({ home: homes.home(), upstream }) });
  api = apiClient(daemon.url);
});
after(async () => {
  await daemon?.stop();
  await upstream?.close();
  homes.cleanup();
});

describe("sessions API through the real daemon and a fake OpenAI-compatible vendor", () => {
  test("a plain turn streams over SSE with id/event/data framing, is stored, and gets a title", async () => {
    const created = await api.call("POST", "/api/sessions", { channel: "chat" });
    assert.equal(created.status, 201);
    const id = created.body.session.sessionId as string;
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    assert.equal(stream.response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(stream.response.headers.get("x-accel-buffering"), "no");
    assert.match(stream.response.headers.get("cache-control") ?? "", /no-cache/);
    scripted.set("hello", { text: ["Hi ", "there, ", "friend."] });
    const sent = await api.send(id, "hello");
    assert.equal(sent.status, 202);
    assert.equal(sent.body.duplicate, false);
    const seen = await stream.until((e) => e.type === "session_title");
    await stream.close();
    for (const [index, frame] of stream.frames.entries()) {
      const event = stream.events[index]!;
      assert.equal(frame.id, String(event.id));
      assert.equal(frame.event, event.type);
    }
    const deltas = seen
      .filter((e) => e.type === "text_delta")
      .map((e) => (e.type === "text_delta" ? e.text : ""));
    assert.equal(deltas.join(""), "Hi there, friend.");
    const text = seen.find((e) => e.type === "text");
    assert.ok(text?.type === "text");
    assert.equal(text.text, "Hi there, friend.");
    const usage = seen.find((e) => e.type === "usage");
    assert.ok(usage?.type === "usage" && usage.contextWindowTokens > 0 && usage.modelId === "fake-model");
    const title = seen.at(-1)!;
    assert.ok(title.type === "session_title" && title.title === "Talking About Things");

    const stored = await api.transcript(id);
    assert.deepEqual(
      stored.map((e) => e.type),
      ["user_message", "turn_started", "text", "usage", "turn_completed", "session_title"],
    );
    const list = await api.call("GET", "/api/sessions");
    const summary = list.body.sessions.find((s: { sessionId: string }) => s.sessionId === id);
    assert.equal(summary.title, "Talking About Things");
    assert.equal(summary.turnCount, 1);
    assert.equal(summary.status, "idle");
    // The model saw the identity prompt first and the volatile block last.
    const turn = upstream.requests.filter((r) => r.protocol && callKind(r) === "turn").at(-1)!;
    const messages = turn.body!["messages"] as { role: string; content: string }[];
    assert.equal(messages[0]!.role, "system");
    assert.match(messages[0]!.content, /# SOUL/);
    assert.match(messages.at(-2)!.content, /^\[current time\]/);
    assert.equal(messages.at(-1)!.content, "hello");
  });

  test("an Idempotency-Key resend returns the original messageId with duplicate: true and no new turn", async () => {
    const id = await api.createSession();
    const first = await api.send(id, "once please", "key-123");
    const again = await api.send(id, "once please", "key-123");
    assert.equal(again.status, 200);
    assert.equal(again.body.messageId, first.body.messageId);
    assert.equal(again.body.eventId, first.body.eventId);
    assert.equal(again.body.duplicate, true);
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events`, lastEventId: 0 });
    await stream.until(turnCompleted(1));
    await stream.close();
    const stored = await api.transcript(id);
    assert.equal(stored.filter((e) => e.type === "user_message").length, 1);
    assert.equal(stored.filter((e) => e.type === "turn_started").length, 1);
  });

  test("two messages during a turn become one follow-up turn, merged in order; two clients see the same stream", async () => {
    const id = await api.createSession();
    const a = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    const b = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    scripted.set("slow one", { text: "slow answer", tokens: 20, chunkDelayMs: 40 });
    scripted.set("second\n\nthird", { text: "merged answer" });
    await api.send(id, "slow one");
    await a.until((e) => e.type === "text_delta");
    const second = await api.send(id, "second");
    const third = await api.send(id, "third");
    assert.equal(second.body.queued, true);
    assert.equal(third.body.queued, true);
    const seenA = await a.until(turnCompleted(2));
    const seenB = await b.until(turnCompleted(2));
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(
      seenA.map((e) => e.id),
      seenB.map((e) => e.id),
    );
    const starts = seenA.filter((e) => e.type === "turn_started");
    assert.equal(starts.length, 2);
    assert.ok(starts[1]!.type === "turn_started");
    assert.deepEqual(starts[1]!.messageIds, [second.body.messageId, third.body.messageId]);
    const texts = seenA.filter((e) => e.type === "text").map((e) => (e.type === "text" ? e.text : ""));
    assert.equal(texts.at(-1), "merged answer");
  });

  test("cancel stops the stream; the partial text is stored marked cancelled", async () => {
    const id = await api.createSession();
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    scripted.set("long story", { text: "once upon", tokens: 200, chunkDelayMs: 30 });
    await api.send(id, "long story");
    await stream.until((e) => e.type === "text_delta");
    const cancelled = await api.cancel(id);
    assert.deepEqual(cancelled.body, { cancelled: true });
    const seen = await stream.until(turnCompleted(1));
    await stream.close();
    const done = seen.at(-1)!;
    assert.ok(done.type === "turn_completed" && done.status === "cancelled");
    const stored = await api.transcript(id);
    const text = stored.find((e) => e.type === "text");
    assert.ok(text?.type === "text");
    assert.equal(text.partial, "cancelled");
    assert.ok(text.text.startsWith("once"));
    assert.deepEqual((await api.cancel(id)).body, { cancelled: false });
  });

  test("Last-Event-ID resumes exactly after the last event received, live and from the store", async () => {
    const id = await api.createSession();
    const first = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    scripted.set("count", { text: "one two three four five six" });
    await api.send(id, "count");
    const isTitle = (e: { type: string }) => e.type === "session_title";
    const all = await first.until(isTitle);
    await first.close();
    for (const cut of [0, 2, Math.floor(all.length / 2), all.length - 2]) {
      const lastId = all[cut]!.id;
      const resumed = await openEventStream({
        url: `${daemon.url}/api/sessions/${id}/events`,
        lastEventId: lastId,
      });
      const rest = await resumed.until(isTitle);
      await resumed.close();
      assert.deepEqual(
        rest.map((e) => e.id),
        all.slice(cut + 1).map((e) => e.id),
        `resume after ${lastId}`,
      );
    }
  });

  test("thinking streams as thinking_delta and is stored once as thinking, before the answer", async () => {
    const id = await api.createSession();
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    scripted.set("think first", { thinking: ["weighing ", "options"], text: "decided" });
    await api.send(id, "think first");
    const seen = await stream.until(turnCompleted(1));
    await stream.close();
    const thinking = seen.find((e) => e.type === "thinking");
    assert.ok(thinking?.type === "thinking" && thinking.text === "weighing options");
    assert.ok(seen.some((e) => e.type === "thinking_delta"));
    const text = seen.find((e) => e.type === "text");
    assert.ok(text?.type === "text" && text.text === "decided" && text.responseId === thinking.responseId);
    const stored = await api.transcript(id);
    assert.ok(!stored.some((e) => e.type === "thinking_delta" || e.type === "text_delta"));
  });

  test("a call to an unknown tool goes through the dispatcher (an error result) and the loop continues", async () => {
    const id = await api.createSession();
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    upstream.setHandler((request) => {
      if (callKind(request) === "title") return { text: "Tools" };
      if (request.endsWithToolResult) return { text: "I have no such tool, sorry." };
      return { toolCalls: [{ name: "disk_gauge", arguments: { command: "df -h" }, id: "call_1" }] };
    });
    try {
      await api.send(id, "how full is the disk?");
      const seen = await stream.until(turnCompleted(1));
      await stream.close();
      assert.deepEqual(
        seen.map((e) => e.type).filter((t) => t !== "text_delta" && t !== "usage"),
        ["user_message", "turn_started", "tool_call", "tool_result", "text", "turn_completed"],
      );
      const call = seen.find((e) => e.type === "tool_call");
      assert.ok(call?.type === "tool_call" && call.toolName === "disk_gauge");
      assert.deepEqual(JSON.parse(call.argumentsJson), { command: "df -h" });
      const result = seen.find((e) => e.type === "tool_result");
      assert.ok(result?.type === "tool_result" && result.isError && result.callId === call.callId);
      assert.match(result.result, /Unknown tool 'disk_gauge'/);
      const followUp = upstream.requests.filter((r) => r.protocol && r.endsWithToolResult).at(-1);
      assert.ok(followUp, "the tool result went back to the vendor");
    } finally {
      upstream.setHandler((request) => {
        if (callKind(request) === "title") return { text: "Talking About Things" };
        return scripted.get(request.lastUserText ?? "");
      });
    }
  });

  test("bad input is refused with a code; unknown sessions are 404", async () => {
    const id = await api.createSession();
    const empty = await api.call("POST", `/api/sessions/${id}/messages`, { text: "" });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, "invalid_request");
    const wrong = await api.call("POST", `/api/sessions/${id}/messages`, { txt: "hi" });
    assert.equal(wrong.status, 400);
    const badName = await api.call("POST", "/api/sessions", { name: "x".repeat(101) });
    assert.equal(badName.status, 400);
    const badChannel = await api.call("POST", "/api/sessions", { channel: "carrier-pigeon" });
    assert.equal(badChannel.status, 400);
    for (const [method, path] of [
      ["GET", "/api/sessions/nope"],
      ["GET", "/api/sessions/nope/events"],
      ["POST", "/api/sessions/nope/cancel"],
    ] as const) {
      const response = await api.call(method, path);
      assert.equal(response.status, 404, path);
      assert.equal(response.body.error.code, "session_not_found");
    }
    const missing = await api.send("nope", "hi");
    assert.equal(missing.status, 404);
    const badResume = await fetch(`${daemon.url}/api/sessions/${id}/events`, {
      headers: { "Last-Event-ID": "abc" },
    });
    assert.equal(badResume.status, 400);
  });

  test("POST /api/sessions with a name is get-or-create", async () => {
    const first = await api.call("POST", "/api/sessions", { name: "ops", channel: "headless" });
    const second = await api.call("POST", "/api/sessions", { name: "ops" });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.body.session.sessionId, first.body.session.sessionId);
    assert.equal(second.body.created, false);
    assert.equal(second.body.session.name, "ops");
  });

  test("OpenAPI is served from the zod schemas; status counts sessions", async () => {
    const doc = await api.call("GET", "/api/openapi.json");
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, "3.1.0");
    for (const path of [
      "/api/health/ready",
      "/api/health/status",
      "/api/sessions",
      "/api/sessions/{id}",
      "/api/sessions/{id}/messages",
      "/api/sessions/{id}/events",
      "/api/sessions/{id}/cancel",
      "/api/sessions/{id}/approvals/{callId}",
      "/api/reminders",
      "/api/reminders/{id}/history",
      "/api/mcp/servers",
    ])
      assert.ok(doc.body.paths[path], path);
    const event = doc.body.components.schemas.SessionEvent;
    assert.ok(JSON.stringify(event).includes("turn_completed"));
    const status = await api.call("GET", "/api/health/status");
    assert.ok(status.body.sessions.count >= 1);
    assert.equal(typeof status.body.sessions.activeTurns, "number");
  });
});
