import type { SQLInputValue } from "node:sqlite";
import { z } from "zod";
import type { MemoryStore } from "./memory-store.ts";
import { MemoryError, type MemoryInput, memoryInputSchema } from "./memory-types.ts";

/** One memory proposed after a turn (by the Compaction model or the loop). */
export type MemoryProposal = MemoryInput;

/** `failed`: left pending after a storage error (retried on the next run); the batch stops there. */
export type ApplyReport = { applied: number; rejected: number; merged: number; failed: number };

export type ProposalQueue = {
  /** Writes proposals durably in one transaction; returns their queue ids. Validates nothing yet. */
  enqueue(options: { sessionId?: string; proposals: readonly MemoryProposal[] }): number[];
  /** Pending proposals (the backlog doctor can watch). */
  pendingCount(): number;
  /**
   * Applies up to `limit` pending proposals, oldest first, each in its own transaction together
   * with marking it applied, so a crash at any point neither loses nor doubles a memory. Invalid
   * proposals (bad shape, Public audience) are marked rejected with the reason. A proposal whose
   * title already names an item in the same scope and audience updates that item instead.
   */
  applyPending(options?: { limit?: number }): ApplyReport;
};

const payloadSchema = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "payload is not JSON" });
    return z.NEVER;
  }
});

/** The durable queue of proposed memories, in the memory database's `memory_proposals` table. */
export function createProposalQueue(options: { memory: MemoryStore; now?: () => Date }): ProposalQueue {
  const { memory } = options;
  const store = memory.database;
  const now = options.now ?? (() => new Date());

  const markRejected = (id: number, reason: string) =>
    store.db
      .prepare(
        "UPDATE memory_proposals SET status = 'rejected', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?",
      )
      .run(reason.slice(0, 1000), now().toISOString(), id);

  const applyOne = (row: Record<string, SQLInputValue>): "applied" | "merged" | "rejected" => {
    const id = Number(row.id);
    const payload = payloadSchema.pipe(memoryInputSchema).safeParse(row.payload);
    if (!payload.success) {
      markRejected(id, payload.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      return "rejected";
    }
    const proposal = payload.data;
    return store.transaction((db) => {
      const existing = db
        .prepare(
          "SELECT id FROM memory_items WHERE scope = ? AND audience = ? AND lower(title) = lower(?) ORDER BY created_at LIMIT 1",
        )
        .get(proposal.scope, proposal.audience, proposal.title);
      const itemId = existing
        ? memory.update({
            id: String(existing.id),
            audience: proposal.audience,
            patch: { content: proposal.content, tags: proposal.tags },
          }).id
        : memory.store(proposal).id;
      db.prepare(
        "UPDATE memory_proposals SET status = 'applied', attempts = attempts + 1, item_id = ?, updated_at = ? WHERE id = ?",
      ).run(itemId, now().toISOString(), id);
      return existing ? "merged" : "applied";
    });
  };

  return {
    enqueue({ sessionId, proposals }) {
      const at = now().toISOString();
      return store.transaction((db) => {
        const insert = db.prepare(
          "INSERT INTO memory_proposals (session_id, payload, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)",
        );
        return proposals.map((p) =>
          Number(insert.run(sessionId ?? null, JSON.stringify(p), at, at).lastInsertRowid),
        );
      });
    },

    pendingCount() {
      const row = store.db
        .prepare("SELECT count(*) AS n FROM memory_proposals WHERE status = 'pending'")
        .get();
      return Number(row?.n ?? 0);
    },

    applyPending(apply = {}) {
      const report: ApplyReport = { applied: 0, rejected: 0, merged: 0, failed: 0 };
      const rows = store.db
        .prepare("SELECT id, payload FROM memory_proposals WHERE status = 'pending' ORDER BY id LIMIT ?")
        .all(Math.max(1, apply.limit ?? 100));
      for (const row of rows) {
        try {
          report[applyOne(row)] += 1;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (error instanceof MemoryError) {
            markRejected(Number(row.id), reason);
            report.rejected += 1;
            continue;
          }
          // A storage problem (disk full, lock): keep the proposal for the next run.
          store.db
            .prepare("UPDATE memory_proposals SET attempts = attempts + 1, last_error = ? WHERE id = ?")
            .run(reason.slice(0, 1000), Number(row.id));
          report.failed += 1;
          break;
        }
      }
      return report;
    },
  };
}
