import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, test } from "node:test";
import { createMemoryStore } from "./memory-store.ts";
import { createProposalQueue } from "./proposal-queue.ts";
import { tempMemory } from "./test-support.ts";

describe("memory proposal queue", () => {
  test("proposals survive a close and reopen (crash before apply) and are applied exactly once", async (t) => {
    const first = await tempMemory();
    t.after(() => rmSync(first.dir, { recursive: true, force: true }));
    const queue = createProposalQueue({ memory: first.memory });
    const ids = queue.enqueue({
      sessionId: "s-1",
      proposals: [
        {
          title: "Deploy window",
          content: "Deploys happen on Tuesdays.",
          scope: "project:web",
          audience: "Team",
        },
        { title: "Editor", content: "The user edits with Helix.", scope: "user:op", audience: "Personal" },
      ],
    });
    assert.equal(ids.length, 2);
    assert.equal(queue.pendingCount(), 2);
    first.close(false); // the daemon stops before the queue is drained

    const second = await tempMemory({ dir: first.dir });
    t.after(() => second.close(false));
    const reopened = createProposalQueue({ memory: second.memory });
    assert.equal(reopened.pendingCount(), 2);
    assert.deepEqual(reopened.applyPending(), { applied: 2, rejected: 0, merged: 0, failed: 0 });
    assert.equal(reopened.pendingCount(), 0);
    assert.deepEqual(reopened.applyPending(), { applied: 0, rejected: 0, merged: 0, failed: 0 });
    assert.equal(second.memory.count(), 2);
    const hits = second.memory.find({ query: "deploys tuesday", audience: "Team" });
    assert.equal(hits[0]?.title, "Deploy window");
  });

  test("a proposal with a known title in the same scope updates it; invalid ones are rejected", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const existing = m.memory.store({
      title: "Deploy window",
      content: "Mondays.",
      scope: "project:web",
      audience: "Team",
    });
    const queue = createProposalQueue({ memory: m.memory });
    queue.enqueue({
      proposals: [
        { title: "deploy window", content: "Tuesdays now.", scope: "project:web", audience: "Team" },
        { title: "Leak", content: "x", scope: "project:web", audience: "Public" as "Team" },
        { title: "", content: "empty title", scope: "project:web", audience: "Team" },
        { title: "Bad scope", content: "x", scope: "planet:earth" as "user:x", audience: "Team" },
      ],
    });
    assert.deepEqual(queue.applyPending(), { applied: 0, rejected: 3, merged: 1, failed: 0 });
    assert.equal(m.memory.count(), 1);
    assert.equal(m.memory.get({ ids: [existing.id], audience: "Team" })[0]?.content, "Tuesdays now.");
    const rejected = m.database.db
      .prepare("SELECT last_error FROM memory_proposals WHERE status = 'rejected' ORDER BY id")
      .all()
      .map((r) => String(r.last_error));
    assert.match(rejected[0]!, /audience/);
    assert.match(rejected[2]!, /scope/);
  });

  test("the item and its 'applied' mark commit together: a failing write leaves the proposal pending", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const queue = createProposalQueue({ memory: m.memory });
    queue.enqueue({ proposals: [{ title: "A", content: "first", scope: "user:op", audience: "Personal" }] });
    // A real storage failure: the items table refuses writes (as a full disk or a lock would).
    m.database.db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON memory_items BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    );
    assert.deepEqual(queue.applyPending(), { applied: 0, rejected: 0, merged: 0, failed: 1 });
    assert.equal(queue.pendingCount(), 1);
    assert.equal(m.memory.count(), 0);
    m.database.db.exec("DROP TRIGGER refuse");
    assert.deepEqual(queue.applyPending(), { applied: 1, rejected: 0, merged: 0, failed: 0 });
    assert.equal(createMemoryStore({ store: m.database }).count(), 1);
  });
});
