import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pino from "pino";
import { createProposalQueue, type ProposalQueue } from "../../memory/index.ts";
import { tempMemory } from "../../memory/test-support.ts";
import { createScriptedModel } from "../../sessions/fixtures/scripted-model.ts";
import { createMemoryProposer, PROPOSAL_INSTRUCTIONS } from "./proposals.ts";

const turn = (overrides: Partial<Parameters<ReturnType<typeof createMemoryProposer>>[0]> = {}) => ({
  sessionId: "s-1",
  userText: "Remember: the backups live on nas-02 under /volume1/backups.",
  assistantText: "Noted, nas-02 it is.",
  scope: "user:operator" as const,
  audience: "Personal" as const,
  timeoutMs: 5000,
  signal: new AbortController().signal,
  ...overrides,
});

const reply = JSON.stringify([
  { title: "Backup location", content: "Backups live on nas-02 under /volume1/backups.", tags: ["backup"] },
]);

describe("memory proposals after a turn", () => {
  test("asks the Compaction model, then stores the proposals with the turn's scope and audience", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const model = createScriptedModel();
    model.push({ text: ["```json\n", reply, "\n```"] });
    const propose = createMemoryProposer({
      model,
      queue: createProposalQueue({ memory: m.memory }),
      logger: pino({ level: "silent" }),
    });
    const report = await propose(turn({ audience: "Team" }));
    assert.deepEqual(report, { applied: 1, rejected: 0, merged: 0, failed: 0 });
    assert.equal(model.requests.length, 1);
    const request = model.requests[0]!;
    assert.equal(request.role, "Compaction");
    assert.equal(request.tools, undefined);
    assert.equal(request.messages[0]?.content, PROPOSAL_INSTRUCTIONS);
    assert.match(request.messages[1]!.content, /^User: Remember: the backups[\s\S]*Assistant: Noted/);
    const [hit] = m.memory.find({ query: "backups nas-02", audience: "Team" });
    assert.equal(hit?.title, "Backup location");
    assert.equal(hit?.scope, "user:operator");
    assert.equal(hit?.audience, "Team");
  });

  test("a short turn costs no model call; garbage or a failed call stores nothing and never throws", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const model = createScriptedModel();
    const queue = createProposalQueue({ memory: m.memory });
    const propose = createMemoryProposer({ model, queue, logger: pino({ level: "silent" }) });
    assert.equal(await propose(turn({ userText: "thanks!" })), undefined);
    assert.equal(model.requests.length, 0);

    model.push({ text: ["Sure! The user keeps backups on nas-02."] });
    assert.equal(await propose(turn()), undefined);
    model.push({ error: { code: "server_error", message: "upstream 500" } });
    assert.equal(await propose(turn()), undefined);
    model.push({ text: ["[]"] });
    assert.equal(await propose(turn()), undefined);
    assert.equal(model.requests.length, 3);
    assert.equal(m.memory.count(), 0);
    assert.equal(queue.pendingCount(), 0);
  });

  test("proposals are durable before they are applied: a crash after the enqueue loses none", async (t) => {
    const first = await tempMemory();
    t.after(() => first.close());
    const model = createScriptedModel();
    model.push({ text: [reply] });
    const real = createProposalQueue({ memory: first.memory });
    // The process "dies" in the apply step: nothing after the enqueue runs.
    const crashing: ProposalQueue = {
      ...real,
      applyPending: () => {
        throw new Error("killed before apply");
      },
    };
    const propose = createMemoryProposer({ model, queue: crashing, logger: pino({ level: "silent" }) });
    assert.equal(await propose(turn()), undefined);
    assert.equal(first.memory.count(), 0);

    // A second handle on the same file, as the next start opens it, applies what was queued.
    const second = await tempMemory({ dir: first.dir });
    t.after(() => second.close(false));
    const queue = createProposalQueue({ memory: second.memory });
    assert.equal(queue.pendingCount(), 1);
    assert.deepEqual(queue.applyPending(), { applied: 1, rejected: 0, merged: 0, failed: 0 });
    assert.equal(second.memory.find({ query: "backups", audience: "Personal" })[0]?.title, "Backup location");
  });
});
