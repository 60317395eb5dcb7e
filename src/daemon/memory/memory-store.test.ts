import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { createSecretRedactor } from "../tools/policy/redaction.ts";
import { FACTS, PARAPHRASES, QUESTIONS } from "./fixtures/recall-set.ts";
import { MemoryError } from "./memory-types.ts";
import { tempMemory } from "./test-support.ts";

describe("memory store", () => {
  test("a known secret never reaches the memory database: stored and updated items are redacted", async (t) => {
    const key = "nc-mem-5t4r3e2w1q";
    const m = await tempMemory({ redact: createSecretRedactor([key]).text });
    t.after(() => m.close());
    const item = m.memory.store({
      title: `Key ${key}`,
      content: `The API key is ${key}.`,
      tags: [key],
      scope: "user:alice",
      audience: "Personal",
    });
    assert.equal(item.content, "The API key is ***REDACTED***.");
    m.memory.update({ id: item.id, audience: "Personal", patch: { content: `Still ${key}` } });
    m.close(false);
    for (const name of readdirSync(dirname(m.path))) {
      const bytes = readFileSync(join(dirname(m.path), name)).toString("latin1");
      assert.ok(!bytes.includes("5t4r3e2w1q"), `${name} holds the key`);
    }
  });

  test("FTS5 is available and store/find/get/update round-trip with bm25 ranking", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const a = m.memory.store({
      title: "Backup schedule",
      content: "Backups of the database run nightly.",
      tags: ["backup"],
      scope: "user:alice",
      audience: "Personal",
    });
    m.memory.store({
      title: "Lunch",
      content: "Lunch is at noon; the database team eats late.",
      scope: "user:alice",
      audience: "Personal",
    });
    const hits = m.memory.find({ query: "When do backups run?", audience: "Personal" });
    assert.equal(hits[0]?.id, a.id);
    assert.ok(hits[0]!.score < 0, "bm25 scores are negative, lower is better");
    assert.equal(hits[0]?.snippet, "Backups of the database run nightly.");

    m.clock.now = new Date("2026-11-24T08:00:00Z");
    const updated = m.memory.update({
      id: a.id,
      audience: "Personal",
      patch: { content: "Backups run at 03:00 UTC every night." },
    });
    assert.equal(updated.updatedAt, "2026-11-24T08:00:00.000Z");
    assert.equal(updated.createdAt, "2026-11-23T12:00:00.000Z");
    const [got] = m.memory.get({ ids: [a.id], audience: "Personal" });
    assert.equal(got?.content, "Backups run at 03:00 UTC every night.");
    assert.deepEqual(got?.tags, ["backup"]);
    // The FTS index followed the update: the old wording is gone, the new one is found.
    assert.equal(m.memory.find({ query: "nightly", audience: "Personal" }).length, 0);
    assert.equal(m.memory.find({ query: "03:00 UTC", audience: "Personal" })[0]?.id, a.id);
  });

  test("audience isolation: Team never sees Personal items, Public sees and stores nothing", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const secret = m.memory.store({
      title: "Personal bank PIN hint",
      content: "The bank account reminder is about the deploy keys.",
      scope: "project:ops",
      audience: "Personal",
    });
    const shared = m.memory.store({
      title: "Team deploy keys",
      content: "Deploy keys rotate every quarter.",
      scope: "project:ops",
      audience: "Team",
    });
    const ids = (audience: "Personal" | "Team" | "Public") =>
      m.memory.find({ query: "deploy keys bank", audience }).map((h) => h.id);
    assert.deepEqual(new Set(ids("Personal")), new Set([secret.id, shared.id]));
    assert.deepEqual(ids("Team"), [shared.id]);
    assert.deepEqual(ids("Public"), []);
    assert.deepEqual(
      m.memory.get({ ids: [secret.id, shared.id], audience: "Team" }).map((i) => i.id),
      [shared.id],
    );
    assert.deepEqual(m.memory.get({ ids: [secret.id, shared.id], audience: "Public" }), []);
    assert.throws(
      () => m.memory.update({ id: secret.id, audience: "Team", patch: { content: "x" } }),
      (e: unknown) => e instanceof MemoryError && e.code === "memory_not_found",
    );
    assert.throws(
      () => m.memory.store({ title: "t", content: "c", scope: "user:x", audience: "Team", caller: "Public" }),
      (e: unknown) => e instanceof MemoryError && e.code === "memory_public_audience",
    );
    assert.throws(
      () =>
        m.memory.store({ title: "t", content: "c", scope: "user:x", audience: "Personal", caller: "Team" }),
      (e: unknown) => e instanceof MemoryError && e.code === "memory_invalid",
    );
    assert.equal(m.memory.get({ ids: [secret.id], audience: "Personal" })[0]?.content.includes("bank"), true);
  });

  test("scope filters results; FTS syntax in a query is treated as words", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const mine = m.memory.store({
      title: "Printer",
      content: "Printer on floor 2",
      scope: "channel:C1",
      audience: "Team",
    });
    m.memory.store({
      title: "Printer",
      content: "Printer on floor 5",
      scope: "channel:C2",
      audience: "Team",
    });
    const hits = m.memory.find({ query: "printer", audience: "Team", scope: "channel:C1" });
    assert.deepEqual(
      hits.map((h) => h.id),
      [mine.id],
    );
    assert.equal(
      m.memory.find({ query: "printer", audience: "Team", scope: ["channel:C1", "channel:C2"] }).length,
      2,
    );
    for (const hostile of ['printer" OR title:*', "NEAR(a b) AND -x", "*", '"']) {
      assert.doesNotThrow(() => m.memory.find({ query: hostile, audience: "Team" }));
    }
    assert.throws(() =>
      m.memory.store({ title: "x", content: "y", scope: "galaxy:1" as "user:1", audience: "Team" }),
    );
  });

  test("recall quality on the fixed set: top-3 hit rate is reported and at least 80 %", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const idOf = new Map<string, string>();
    for (const fact of FACTS) {
      const item = m.memory.store({ ...fact, scope: "user:op", audience: "Personal" });
      idOf.set(fact.key, item.id);
    }
    const misses: string[] = [];
    let top1 = 0;
    for (const q of QUESTIONS) {
      const hits = m.memory.find({ query: q.text, audience: "Personal", limit: 3 }).map((h) => h.id);
      if (hits[0] === idOf.get(q.expect)) top1++;
      if (!hits.includes(idOf.get(q.expect)!)) misses.push(q.text);
    }
    const hitRate = (QUESTIONS.length - misses.length) / QUESTIONS.length;
    const paraphraseHits = PARAPHRASES.filter((q) =>
      m.memory
        .find({ query: q.text, audience: "Personal", limit: 3 })
        .some((h) => h.id === idOf.get(q.expect)),
    ).length;
    t.diagnostic(
      `paraphrases without shared words (not asserted): ${paraphraseHits}/${PARAPHRASES.length} in top 3`,
    );
    t.diagnostic(
      `recall@3 ${(hitRate * 100).toFixed(0)} % (${QUESTIONS.length - misses.length}/${QUESTIONS.length}), ` +
        `recall@1 ${((top1 / QUESTIONS.length) * 100).toFixed(0)} %; misses: ${misses.join(" | ") || "none"}`,
    );
    assert.ok(hitRate >= 0.8, `hit rate ${hitRate} below 0.8; misses: ${misses.join(" | ")}`);
  });
});
