import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionEvent } from "../../protocol/events.ts";
import { engineHarness, reader } from "./fixtures/harness.ts";
import { createScriptedModel } from "./fixtures/scripted-model.ts";

const KEY = "nc-unit-K3y-9f8e7d6c5b4a";
const SPACED = "open sesame words here";
const LEAKS = ["9f8e7d6c5b4a", "K3y-9f8e", "sesame words", "pw-in-url-77"];

function assertClean(where: string, text: string): void {
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${where} holds ${leak}: ${text}`);
}

test("known secrets leave every event and the store: one character per delta, thinking, tool arguments, errors, titles", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  const chars = [..."Here: ", ...KEY, ..." and ", ...SPACED, ..." end"];
  model.push(
    { text: chars, toolCalls: [{ id: "c1", name: "nope", arguments: { token: KEY } }] },
    { text: ["done"] },
    { text: [`Title ${KEY}`] },
    {
      text: ["partial ", KEY.slice(0, 6)],
      error: { code: "model_error", message: `fetch http://svc:pw-in-url-77@10.0.0.9/v1 failed with ${KEY}` },
    },
  );
  const { registry, store } = await h.registry({ model, secretValues: [KEY, SPACED] });
  const { session } = registry.create({ channel: "chat" });
  const engine = registry.get(session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  engine.send({ text: `my key is ${KEY}, and Bearer abcdefgh12345678 stays mine` });
  const seen = await stream.until((e) => e.type === "session_title");
  await engine.idle();
  engine.send({ text: "again" });
  seen.push(...(await stream.until((e) => e.type === "turn_completed")));
  await engine.idle();
  assert.ok(seen.some((e) => e.type === "session_title" && e.title.includes("***REDACTED***")));

  assertClean("live events", JSON.stringify(seen));
  const final = seen.find((e): e is Extract<SessionEvent, { type: "text" }> => e.type === "text")!;
  const deltas = seen.flatMap((e) =>
    e.type === "text_delta" && e.responseId === final.responseId ? [e.text] : [],
  );
  assert.ok(deltas.length > 3, "the answer was streamed");
  assert.ok(final.text.startsWith(deltas.join("")), "the deltas are a prefix of the stored text");
  assert.equal(final.text, "Here: ***REDACTED*** and ***REDACTED*** end");
  const user = seen.find((e) => e.type === "user_message");
  assert.equal(
    user?.type === "user_message" && user.text,
    "my key is ***REDACTED***, and Bearer abcdefgh12345678 stays mine",
    "a user's words keep their shapes; only known values go",
  );
  const error = seen.find((e) => e.type === "error");
  assert.match(JSON.stringify(error), /http:\/\/\*\*\*REDACTED\*\*\*@10\.0\.0\.9/);

  const rows = store.db.prepare("SELECT * FROM session_events").all();
  assertClean("session_events", JSON.stringify(rows));
  assertClean("sessions", JSON.stringify(store.db.prepare("SELECT * FROM sessions").all()));
  assertClean("transcript", JSON.stringify(engine.transcript({ after: 0, limit: 100 })));
});

test("what a stream held back is sent when the response moves on to a tool call, before that call", async (t) => {
  const h = await engineHarness(t);
  const model = createScriptedModel();
  // "usage" ends in a letter that may start a vendor key ("e" → "eyJ…"), so it is held at first.
  model.push({ text: ["Checking ", "usage"], toolCalls: [{ id: "c1", name: "nope", arguments: {} }] });
  const { registry } = await h.registry({ model, secretValues: [KEY] });
  const { session } = registry.create({ channel: "chat" });
  const engine = registry.get(session.sessionId)!;
  const stream = reader(engine.subscribe(0));
  engine.send({ text: "check" });
  const seen = await stream.until((e) => e.type === "tool_call");
  const shown = seen.flatMap((e) => (e.type === "text_delta" ? [e.text] : [])).join("");
  assert.equal(shown, "Checking usage");
  await stream.until((e) => e.type === "turn_completed");
});
