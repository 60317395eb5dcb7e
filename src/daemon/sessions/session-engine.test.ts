import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionEvent } from "../../protocol/events.ts";
import { NO_MODEL_ANSWER } from "../agent/turn-loop.ts";
import { engineHarness, reader } from "./fixtures/harness.ts";
import { createScriptedModel, gate } from "./fixtures/scripted-model.ts";

const types = (events: SessionEvent[]) => events.map((e) => e.type);
const turnDone = (n: number) => (e: SessionEvent) => e.type === "turn_completed" && e.turnNumber === n;

test("a turn stores the message first, coalesces deltas into one text, titles the session, and survives a reload", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push(
    (request) => {
      // The user message is already stored when the model is called.
      assert.equal(request.messages.at(-1)?.content, "hello there");
      assert.equal(request.messages[0]?.role, "system");
      assert.match(
        request.messages[0]!.content,
        /# SOUL[\s\S]*# Operating core[\s\S]*# AGENTS[\s\S]*# TOOLING/,
      );
      assert.match(request.messages.at(-2)!.content, /^\[current time\]/);
      return { text: ["Hel", "lo!"], usage: { inputTokens: 100, outputTokens: 5 } };
    },
    { text: ['"Greeting the agent politely today, a long title indeed."'] },
  );
  const { registry, store } = await h.registry({ model });
  const { session } = registry.create({ channel: "chat" });
  const engine = registry.get(session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  const sent = engine.send({ text: "hello there" });
  assert.equal(sent.queued, false);
  const seen = await stream.until((e) => e.type === "session_title");
  assert.deepEqual(types(seen), [
    "user_message",
    "turn_started",
    "text_delta",
    "text_delta",
    "text",
    "usage",
    "turn_completed",
    "session_title",
  ]);
  const ids = seen.map((e) => e.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
  );
  const text = seen.find((e) => e.type === "text")!;
  assert.equal(text.type === "text" && text.text, "Hello!");
  const usage = seen.find((e) => e.type === "usage")!;
  assert.equal(usage.type === "usage" && usage.usagePercent, Math.round((100 / 32768) * 1000) / 10);
  const title = seen.at(-1)!;
  assert.equal(
    title.type === "session_title" && title.title,
    "Greeting the agent politely today, a long title",
  );
  await engine.idle();

  const stored = engine.transcript({ after: 0, limit: 100 });
  assert.deepEqual(
    types(stored),
    types(seen).filter((type) => type !== "text_delta"),
  );
  assert.equal(engine.summary().turnCount, 1);
  assert.equal(engine.summary().status, "idle");

  const reopened = await h.registry({ model, store });
  const again = reopened.registry.get(session.sessionId)!;
  assert.deepEqual(again.transcript({ after: 0, limit: 100 }), stored);
  assert.equal(again.summary().title, "Greeting the agent politely today, a long title");
  again.send({ text: "second" });
  await again.idle();
  const history = model.requests.at(-1)!.messages.map((m) => `${m.role}:${m.content.split("\n")[0]}`);
  assert.deepEqual(history.slice(1), [
    "user:hello there",
    "assistant:Hello!",
    "user:[current time]",
    "user:second",
  ]);
  // Ids keep increasing across the reload, above every id handed out before (deltas included).
  const later = again.transcript({ after: ids.at(-1)!, limit: 100 });
  assert.ok(later.length > 0 && later[0]!.id > Math.max(...ids));
});

test("messages sent during a turn are queued and merged, in order, into one follow-up turn", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  const hold = gate();
  model.push({ text: ["first"], gate: hold.promise }, { text: ["title"] }, { text: ["merged"] });
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  engine.send({ text: "one" });
  const two = engine.send({ text: "two" });
  const three = engine.send({ text: "three" });
  assert.equal(two.queued, true);
  assert.equal(three.queued, true);
  hold.open();
  const seen = await stream.until(turnDone(2));
  const starts = seen.filter((e) => e.type === "turn_started");
  assert.equal(starts.length, 2);
  assert.deepEqual(starts[1]!.type === "turn_started" && starts[1]!.messageIds, [
    two.messageId,
    three.messageId,
  ]);
  const last = model.requests.at(-1)!.messages;
  assert.equal(last.at(-1)!.content, "two\n\nthree");
});

test("cancel aborts the stream, keeps the partial text marked cancelled, and the session goes on", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push({ text: ["partial ", "answer"], gate: new Promise(() => {}) });
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  assert.equal(engine.cancel(), false);
  engine.send({ text: "go" });
  await stream.until((e) => e.type === "text_delta" && e.text === "answer");
  assert.equal(engine.cancel(), true);
  const rest = await stream.until(turnDone(1));
  const text = rest.find((e) => e.type === "text");
  assert.deepEqual(text?.type === "text" && [text.text, text.partial], ["partial answer", "cancelled"]);
  assert.deepEqual(rest.at(-1), { ...rest.at(-1), status: "cancelled" });
  await engine.idle();
  engine.send({ text: "again" });
  const next = await stream.until(turnDone(2));
  assert.deepEqual(next.at(-1), { ...next.at(-1), status: "completed" });
});

test("an Idempotency-Key resend returns the original message and starts nothing", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  const first = engine.send({ text: "hi", idempotencyKey: "k-1" });
  const again = engine.send({ text: "hi", idempotencyKey: "k-1" });
  assert.deepEqual(again, {
    messageId: first.messageId,
    eventId: first.eventId,
    queued: false,
    duplicate: true,
  });
  await engine.idle();
  const stored = engine.transcript({ after: 0, limit: 100 });
  assert.equal(stored.filter((e) => e.type === "user_message").length, 1);
  assert.equal(stored.filter((e) => e.type === "turn_started").length, 1);
});

test("no model: the turn answers with the notice and the commands that fix it, calling nothing", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel({ configured: false });
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "headless" }).session.sessionId)!;
  engine.send({ text: "anyone?" });
  await engine.idle();
  const text = engine.transcript({ after: 0, limit: 100 }).find((e) => e.type === "text");
  assert.equal(text?.type === "text" && text.text, NO_MODEL_ANSWER);
  assert.match(
    NO_MODEL_ANSWER,
    /^No valid model configuration detected\.\n[\s\S]*netclaw init[\s\S]*NETCLAW_Models__Main__Provider/,
  );
  assert.equal(model.requests.length, 0);
});

test("tool calls run through the dispatcher and their results go back to the model", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push(
    {
      toolCalls: [
        { id: "c1", name: "shout", arguments: { text: "hi" } },
        { id: "c2", name: "missing", arguments: {} },
      ],
    },
    (request) => {
      const tools = request.messages.filter((m) => m.role === "tool");
      assert.deepEqual(
        tools.map((m) => m.role === "tool" && [m.toolCallId, m.content, m.isError]),
        [
          ["c1", "HI", false],
          ["c2", "Unknown tool 'missing'. Available tools: shout.", true],
        ],
      );
      return { text: ["done"] };
    },
  );
  const shout = {
    definition: { name: "shout", description: "upper-cases", parameters: { type: "object" } },
    execute: async (args: unknown) => String((args as { text: string }).text).toUpperCase(),
  };
  const { registry } = await h.registry({ model, tools: [shout] });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  engine.send({ text: "use tools" });
  await engine.idle();
  const stored = engine.transcript({ after: 0, limit: 100 });
  assert.equal(JSON.stringify(stored.find((e) => e.type === "error")), undefined);
  assert.deepEqual(types(stored).slice(0, 7), [
    "user_message",
    "turn_started",
    "tool_call",
    "tool_call",
    "tool_result",
    "tool_result",
    "text",
  ]);
  assert.deepEqual(
    model.requests[0]!.tools?.map((tool) => tool.name),
    ["shout"],
  );
});

test("cancel during a tool run aborts the tool through its signal and closes the call", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push({ toolCalls: [{ id: "w1", name: "wait", arguments: {} }] });
  let started!: () => void;
  const toolStarted = new Promise<void>((resolve) => {
    started = resolve;
  });
  const wait = {
    definition: { name: "wait", description: "waits until aborted", parameters: { type: "object" } },
    execute: (_args: unknown, context: { signal: AbortSignal }) =>
      new Promise<string>((_resolve, reject) => {
        started();
        context.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
  };
  const { registry } = await h.registry({ model, tools: [wait] });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  engine.send({ text: "wait for it" });
  await toolStarted;
  assert.equal(engine.cancel(), true);
  await engine.idle();
  const events = engine.transcript({ after: 0, limit: 100 });
  const result = events.find((e) => e.type === "tool_result");
  assert.ok(result?.type === "tool_result" && result.isError && /cancelled/.test(result.result));
  const done = events.findLast((e) => e.type === "turn_completed");
  assert.ok(done?.type === "turn_completed" && done.status === "cancelled");
  assert.equal(model.requests.length, 1, "no model call after the cancel");
});

test("after a completed turn the memory hook gets that turn's user text and final answer; a cancelled turn or a failing hook changes nothing", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  const hold = gate();
  model.push(
    { text: ["first"], gate: hold.promise },
    { text: ["A Title"] },
    { text: ["merged"] },
    { text: ["partial"], gate: new Promise(() => {}) },
    { text: ["after"] },
    { text: ["still here"] },
  );
  const calls: { userText: string; assistantText: string; timeoutMs: number; channel: string }[] = [];
  let failing = false;
  const { registry } = await h.registry({
    model,
    proposeMemories: async (turn) => {
      calls.push({
        userText: turn.userText,
        assistantText: turn.assistantText,
        timeoutMs: turn.timeoutMs,
        channel: turn.channel,
      });
      if (failing) throw new Error("memory is down");
    },
  });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  engine.send({ text: "one" });
  engine.send({ text: "two" });
  engine.send({ text: "three" });
  hold.open();
  await stream.until(turnDone(2));
  await engine.idle();
  assert.deepEqual(calls, [
    { userText: "one", assistantText: "first", timeoutMs: 5000, channel: "chat" },
    { userText: "two\n\nthree", assistantText: "merged", timeoutMs: 5000, channel: "chat" },
  ]);

  engine.send({ text: "go" });
  await stream.until((e) => e.type === "text_delta" && e.text === "partial");
  engine.cancel();
  await stream.until(turnDone(3));
  await engine.idle();
  assert.equal(calls.length, 2, "a cancelled turn proposes nothing");

  failing = true;
  engine.send({ text: "again" });
  const done = await stream.until(turnDone(4));
  assert.deepEqual(done.at(-1), { ...done.at(-1), status: "completed" });
  await engine.idle();
  assert.equal(engine.summary().status, "idle");
  engine.send({ text: "more" });
  const next = await stream.until(turnDone(5));
  assert.deepEqual(next.at(-1), { ...next.at(-1), status: "completed" });
  await engine.idle();
  assert.deepEqual(
    calls.slice(2).map((c) => [c.userText, c.assistantText]),
    [
      ["again", "after"],
      ["more", "still here"],
    ],
  );
});
