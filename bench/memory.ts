// Memory recall latency with many stored items: the per-turn auto-recall path (createRecall over
// the real SQLite/FTS5 store in a temp directory). Run alone with `node bench/memory.ts [items]`;
// `measureRecall` is exported for `npm run bench`. Figures are printed, never asserted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FACTS, QUESTIONS } from "../src/daemon/memory/fixtures/recall-set.ts";
import { createMemoryStore, openMemoryDatabase } from "../src/daemon/memory/memory-store.ts";
import type { MemoryScope } from "../src/daemon/memory/memory-types.ts";
import { createRecall } from "../src/daemon/memory/recall.ts";

export type RecallFigures = {
  items: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  insertMs: number;
  /** Fixed-set questions whose expected fact was in the top 3 among all the filler items. */
  hitRateTop3: number;
  timeouts: number;
};

const WORDS = (
  "server backup deploy network cluster disk memory cache queue worker log alert metric dashboard " +
  "token secret certificate domain mail printer router switch firewall vpn proxy database index " +
  "release sprint review ticket incident runbook schedule cron timer service container image volume " +
  "node pod namespace ingress gateway storage bucket quota budget invoice vendor contract laptop " +
  "monitor keyboard office kitchen garden garage car bike train flight hotel meeting calendar"
).split(" ");

/** A small deterministic PRNG (mulberry32) so every run stores the same items. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Stores `items` filler memories plus the fixed facts (Personal and Team, a few scopes), then
 * times `rounds` passes over the fixed questions through auto-recall (3 items, 300 ms timeout).
 */
export async function measureRecall(options: { items: number; rounds?: number }): Promise<RecallFigures> {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-bench-memory-"));
  const database = await openMemoryDatabase({ path: join(dir, "netclaw-memory.db"), appVersion: "bench" });
  try {
    const memory = createMemoryStore({ store: database });
    const random = prng(42);
    const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const scopes: MemoryScope[] = ["user:op", "project:web", "channel:C1"];
    const insertStarted = performance.now();
    database.transaction(() => {
      for (let i = 0; i < options.items; i++) {
        const title = `${pick()} ${pick()} ${pick()}`;
        const content = Array.from({ length: 24 }, pick).join(" ");
        memory.store({
          title,
          content,
          tags: [pick(), pick()],
          scope: scopes[i % scopes.length]!,
          audience: i % 2 === 0 ? "Personal" : "Team",
        });
      }
    });
    const ids = new Map<string, string>();
    for (const fact of FACTS) {
      ids.set(fact.key, memory.store({ ...fact, scope: "user:op", audience: "Personal" }).id);
    }
    const insertMs = performance.now() - insertStarted;

    const recall = createRecall({ search: memory, logger: { warn() {} } });
    const samples: number[] = [];
    let hits = 0;
    let timeouts = 0;
    const rounds = options.rounds ?? 10;
    for (let round = 0; round < rounds; round++) {
      for (const question of QUESTIONS) {
        const started = performance.now();
        const result = await recall({
          text: question.text,
          audience: "Personal",
          scope: scopes,
          maxItems: 3,
          timeoutMs: 300,
        });
        samples.push(performance.now() - started);
        if (result.status === "timeout") timeouts++;
        if (round === 0 && result.items.some((item) => item.id === ids.get(question.expect))) hits++;
      }
    }
    samples.sort((a, b) => a - b);
    return {
      items: options.items + FACTS.length,
      queries: samples.length,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      maxMs: samples.at(-1) ?? 0,
      insertMs,
      hitRateTop3: hits / QUESTIONS.length,
      timeouts,
    };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const items = Number(process.argv[2] ?? 10_000);
  const f = await measureRecall({ items });
  process.stdout.write(
    `memory recall, ${f.items} items, ${f.queries} queries: p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms, ` +
      `max ${f.maxMs.toFixed(2)} ms (budget: p99 ≤ 300 ms = Memory.RecallTimeoutMs), timeouts ${f.timeouts}; ` +
      `insert ${f.insertMs.toFixed(0)} ms; fixed-set recall@3 among filler ${(f.hitRateTop3 * 100).toFixed(0)} %\n`,
  );
}
