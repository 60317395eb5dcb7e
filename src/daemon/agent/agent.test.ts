import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createScriptedModel } from "../sessions/fixtures/scripted-model.ts";
import type { EventDraft } from "./event-draft.ts";
import { createIdentitySource, DEFAULT_IDENTITY, seedIdentityFiles } from "./identity.ts";
import { assemblePrompt } from "./prompt.ts";
import { createToolDispatcher } from "./tool-dispatcher.ts";
import { runTurn } from "./turn-loop.ts";

test("identity files are seeded when missing and never overwritten; the prompt re-reads them in order", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-identity-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "SOUL.md"), "# My soul\nterse.");
  assert.deepEqual(seedIdentityFiles(dir), ["AGENTS.md", "TOOLING.md"]);
  assert.equal(readFileSync(join(dir, "SOUL.md"), "utf8"), "# My soul\nterse.");
  assert.equal(readFileSync(join(dir, "AGENTS.md"), "utf8"), DEFAULT_IDENTITY["AGENTS.md"]);
  assert.deepEqual(seedIdentityFiles(dir), []);
  const identity = createIdentitySource(dir);
  const now = new Date("2026-01-01T00:00:00Z");
  const first = assemblePrompt({ identity, history: [{ role: "user", content: "hi" }], now });
  const system = first[0]!.content;
  assert.ok(system.indexOf("# My soul") < system.indexOf("# Operating core"));
  assert.ok(system.indexOf("# Operating core") < system.indexOf("# AGENTS"));
  assert.ok(system.indexOf("# AGENTS") < system.indexOf("# TOOLING"));
  assert.deepEqual(first.slice(1), [
    { role: "user", content: "[current time]\n2026-01-01T00:00:00.000Z (UTC)" },
    { role: "user", content: "hi" },
  ]);
  // In a tool loop the conversation still ends with the tool result; the block sits before the
  // newest user message and nothing earlier changes.
  const looped = assemblePrompt({
    identity,
    now,
    history: [
      { role: "user", content: "old" },
      { role: "assistant", content: "ok" },
      { role: "user", content: "new" },
      { role: "assistant", content: "", toolCalls: [{ id: "c", name: "t", arguments: {} }] },
      { role: "tool", toolCallId: "c", toolName: "t", content: "r" },
    ],
  });
  assert.deepEqual(
    looped.slice(1).map((m) => m.content),
    ["old", "ok", "[current time]\n2026-01-01T00:00:00.000Z (UTC)", "new", "", "r"],
  );
  writeFileSync(join(dir, "TOOLING.md"), "# TOOLING\nnew host facts");
  const second = assemblePrompt({ identity, history: [], now });
  assert.match(second[0]!.content, /new host facts/);
});

test("the loop stops at Session.MaxToolCallsPerTurn with an error, closing the calls it did not run", async () => {
  const model = createScriptedModel();
  const loop = () => ({ toolCalls: [{ id: `c${Math.random()}`, name: "noop", arguments: {} }] });
  model.push(loop, loop, loop, loop);
  const dispatcher = createToolDispatcher({
    tools: [{ definition: { name: "noop", description: "", parameters: {} }, execute: async () => "ok" }],
  });
  const events: EventDraft[] = [];
  let n = 0;
  const outcome = await runTurn({
    sessionId: "s",
    model,
    dispatcher,
    buildMessages: () => [{ role: "user", content: "go" }],
    emit: (draft) => events.push(draft),
    signal: new AbortController().signal,
    maxToolCalls: 2,
    contextWindow: 4096,
    newId: () => `r${++n}`,
  });
  assert.equal(outcome.status, "failed");
  assert.equal(model.requests.length, 3);
  const results = events.filter((e) => e.type === "tool_result");
  assert.equal(results.length, 3);
  assert.ok(results[2]?.type === "tool_result" && results[2].isError);
  const error = events.at(-1);
  assert.ok(error?.type === "error" && error.code === "tool_call_limit");
});
