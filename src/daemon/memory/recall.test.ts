import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MemoryHit } from "./memory-types.ts";
import { createRecall, formatRecallBlock, type MemorySearch } from "./recall.ts";
import { tempMemory } from "./test-support.ts";

function capturingLogger() {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return { warnings, logger: { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) } };
}

describe("recall", () => {
  test("returns up to maxItems visible items in the session's scopes and formats the block", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    for (const n of [1, 2, 3, 4]) {
      m.memory.store({
        title: `Backup host ${n}`,
        content: `Backups go to host ${n}.`,
        scope: "user:op",
        audience: "Team",
      });
    }
    m.memory.store({
      title: "Backup elsewhere",
      content: "Backups for another user.",
      scope: "user:other",
      audience: "Team",
    });
    const { logger, warnings } = capturingLogger();
    const recall = createRecall({ search: m.memory, logger });
    const result = await recall({
      text: "where do backups go?",
      audience: "Team",
      scope: ["user:op"],
      maxItems: 3,
      timeoutMs: 300,
    });
    assert.equal(result.status, "ok");
    assert.equal(result.items.length, 3);
    assert.ok(result.items.every((i) => i.scope === "user:op"));
    assert.equal(warnings.length, 0);
    const block = formatRecallBlock(result.items);
    assert.match(block, /^Relevant memories/);
    assert.match(block, /\[mem_\d+\] Backup host \d: Backups go to host \d\./);
    assert.equal(formatRecallBlock([]), "");
  });

  test("Public, empty text and maxItems 0 are skipped without searching", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    m.memory.store({ title: "Team fact", content: "Shared fact", scope: "user:op", audience: "Team" });
    const { logger } = capturingLogger();
    let searches = 0;
    const counting: MemorySearch = {
      find: (o) => {
        searches++;
        return m.memory.find(o);
      },
    };
    const recall = createRecall({ search: counting, logger });
    for (const request of [
      { text: "shared fact", audience: "Public" as const, maxItems: 3 },
      { text: "   ", audience: "Team" as const, maxItems: 3 },
      { text: "shared fact", audience: "Team" as const, maxItems: 0 },
    ]) {
      const result = await recall({ ...request, timeoutMs: 300 });
      assert.equal(result.status, "skipped");
      assert.deepEqual(result.items, []);
    }
    assert.equal(searches, 0);
  });

  test("a failing store (closed database) gives an empty, reported result — never a throw", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    m.memory.store({ title: "Fact", content: "Some fact", scope: "user:op", audience: "Personal" });
    m.database.close();
    const { logger, warnings } = capturingLogger();
    const result = await createRecall({ search: m.memory, logger })({
      text: "fact",
      audience: "Personal",
      maxItems: 3,
      timeoutMs: 300,
    });
    assert.equal(result.status, "error");
    assert.deepEqual(result.items, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.msg, /Memory recall failed/);
  });

  test("a search slower than the timeout gives an empty, reported result at the deadline", async () => {
    const slow: MemorySearch = {
      find: () => new Promise<MemoryHit[]>((resolve) => setTimeout(() => resolve([]), 2_000).unref()),
    };
    const { logger, warnings } = capturingLogger();
    const started = performance.now();
    const result = await createRecall({ search: slow, logger })({
      text: "anything",
      audience: "Personal",
      maxItems: 3,
      timeoutMs: 50,
    });
    assert.equal(result.status, "timeout");
    assert.ok(performance.now() - started < 1_500, "recall waited past its deadline");
    assert.equal(warnings.length, 1);
  });

  test("a synchronous answer that arrives after the deadline is discarded as a timeout", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    m.memory.store({ title: "Fact", content: "Some fact", scope: "user:op", audience: "Personal" });
    let clock = 0;
    const lateSearch: MemorySearch = {
      find: (o) => {
        clock += 500; // the query "took" 500 ms on the injected clock
        return m.memory.find(o);
      },
    };
    const { logger } = capturingLogger();
    const result = await createRecall({ search: lateSearch, logger, now: () => clock })({
      text: "fact",
      audience: "Personal",
      maxItems: 3,
      timeoutMs: 300,
    });
    assert.equal(result.status, "timeout");
    assert.deepEqual(result.items, []);
  });
});
