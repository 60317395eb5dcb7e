import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionEvent } from "../../protocol/events.ts";
import { engineHarness, reader } from "./fixtures/harness.ts";
import { createScriptedModel } from "./fixtures/scripted-model.ts";
import { SUMMARY_HEADER } from "./history.ts";

const types = (events: SessionEvent[]) => events.map((e) => e.type);

test("a turn in flight at a crash is closed as interrupted on load, with fresh ids above every used one", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push({ text: ["never ", "finished"], gate: new Promise(() => {}) });
  const first = await h.registry({ model });
  const engine = first.registry.get(first.registry.create({ channel: "chat" }).session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  engine.send({ text: "long job" });
  const seen = await stream.until((e) => e.type === "text_delta" && e.text === "finished");
  const highest = seen.at(-1)!.id;

  // A second registry on the same database = the daemon after kill -9 (the first never cleans up).
  const restarted = await h.registry({ model: createScriptedModel() });
  assert.equal(restarted.registry.recover(), 1);
  const recovered = restarted.registry.get(engine.id)!;
  const events = recovered.transcript({ after: 0, limit: 100 });
  assert.deepEqual(types(events), ["user_message", "turn_started", "error", "turn_completed"]);
  const completed = events.at(-1)!;
  assert.ok(completed.type === "turn_completed");
  assert.equal(completed.status, "interrupted");
  assert.ok(events[2]!.id > highest, "ids after the restart are above the lost deltas' ids");
  assert.equal(recovered.summary().status, "idle");
  recovered.send({ text: "still there?" });
  await recovered.idle();
  const after = recovered.transcript({ after: completed.id, limit: 100 });
  const done = after.find((e) => e.type === "turn_completed");
  assert.ok(done?.type === "turn_completed" && done.status === "completed");
});

test("compaction drops the oldest messages behind a Compaction-model summary when input passes the threshold", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel({ contextWindow: 4096 });
  const big = "x".repeat(3000);
  model.push(
    { text: [`answer one ${big}`], usage: { inputTokens: 1000, outputTokens: 10 } },
    { text: ["Title"] },
    { text: [`answer two ${big}`], usage: { inputTokens: 2000, outputTokens: 10 } },
    { text: ["answer three"], usage: { inputTokens: 3500, outputTokens: 10 } },
    (request) => {
      assert.equal(request.role, "Compaction");
      assert.match(request.messages[1]!.content, /User: first question/);
      return { text: ["- [!] user asked two questions\nCurrent task: third"] };
    },
  );
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  for (const text of ["first question", "second question", "third question"]) {
    engine.send({ text });
    await engine.idle();
  }
  const compaction = engine.transcript({ after: 0, limit: 100 }).find((e) => e.type === "compaction");
  assert.ok(compaction?.type === "compaction");
  assert.equal(compaction.summary, "- [!] user asked two questions\nCurrent task: third");
  assert.ok(compaction.messagesAfter < compaction.messagesBefore);
  engine.send({ text: "fourth" });
  await engine.idle();
  const messages = model.requests.at(-1)!.messages.map((m) => m.content);
  assert.ok(messages[1]!.startsWith(SUMMARY_HEADER));
  assert.ok(!messages.some((m) => m.includes("first question")));
  assert.ok(messages.some((m) => m.includes("fourth")));

  // The same history comes back after a reload.
  const reopened = await h.registry({ model, store: (await h.registry({ model })).store });
  const reloaded = reopened.registry.get(engine.id)!;
  reloaded.send({ text: "fifth" });
  await reloaded.idle();
  const after = model.requests.at(-1)!.messages.map((m) => m.content);
  assert.ok(after[1]!.startsWith(SUMMARY_HEADER));
  assert.ok(!after.some((m) => m.includes("first question")));
});

test("a context overflow before any output compacts the history and retries the request once", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel({ contextWindow: 4096 });
  const big = "y".repeat(2000);
  model.push(
    { text: [`one ${big}`] },
    { text: ["Title"] },
    { text: [`two ${big}`] },
    { error: { code: "context_overflow", message: "maximum context length exceeded" } },
    (request) => {
      assert.equal(request.role, "Compaction");
      return { text: ["- earlier: one and two"] };
    },
    (request) => {
      assert.ok(request.messages.some((m) => m.content.startsWith(SUMMARY_HEADER)));
      return { text: ["three done"] };
    },
  );
  const { registry } = await h.registry({ model });
  const engine = registry.get(registry.create({ channel: "chat" }).session.sessionId)!;
  for (const text of ["first", "second", "third"]) {
    engine.send({ text });
    await engine.idle();
  }
  const events = engine.transcript({ after: 0, limit: 100 });
  const lastTurn = events.slice(events.findLastIndex((e) => e.type === "turn_started"));
  assert.deepEqual(types(lastTurn), ["turn_started", "compaction", "text", "turn_completed"]);
  const done = lastTurn.at(-1)!;
  assert.ok(done.type === "turn_completed" && done.status === "completed");
});

test("messages queued when the daemon died join the first turn after the restart, in order", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  model.push({ text: ["busy"], gate: new Promise(() => {}) });
  const first = await h.registry({ model });
  const engine = first.registry.get(first.registry.create({ channel: "chat" }).session.sessionId)!;
  engine.send({ text: "a" });
  engine.send({ text: "b" });
  engine.send({ text: "c" });

  const later = createScriptedModel();
  const restarted = await h.registry({ model: later });
  restarted.registry.recover();
  const recovered = restarted.registry.get(engine.id)!;
  const sent = recovered.send({ text: "d" });
  await recovered.idle();
  const turn = recovered.transcript({ after: 0, limit: 100 }).findLast((e) => e.type === "turn_started");
  assert.ok(turn?.type === "turn_started");
  assert.equal(turn.turnNumber, 2);
  assert.equal(turn.messageIds.length, 3);
  assert.equal(turn.messageIds.at(-1), sent.messageId);
  const users = later.requests[0]!.messages.filter(
    (m) => m.role === "user" && !m.content.startsWith("[current time]"),
  ).map((m) => m.content);
  // "a" got no answer before the crash, so all four read as one user message, in order.
  assert.deepEqual(users, ["a\n\nb\n\nc\n\nd"]);
});
