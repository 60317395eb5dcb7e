import type { DatabaseSync } from "node:sqlite";
import { createStatementCache } from "./statement-cache.ts";

export type PendingApproval = {
  sessionId: string;
  callId: string;
  toolName: string;
  argumentsJson: string;
  /** `local` or `device:<name>`: the only principal who may answer. */
  requester: string;
  createdAt: string;
};

export type PendingApprovalRepository = ReturnType<typeof createPendingApprovalRepository>;

/** The journal of tool approvals waiting for an answer (`pending_approvals`). One statement per call. */
export function createPendingApprovalRepository(db: DatabaseSync) {
  const sql = createStatementCache(db);
  return {
    save(entry: PendingApproval): void {
      sql(
        `INSERT OR REPLACE INTO pending_approvals
           (session_id, call_id, tool_name, arguments_json, requester, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(
        entry.sessionId,
        entry.callId,
        entry.toolName,
        entry.argumentsJson,
        entry.requester,
        entry.createdAt,
      );
    },
    remove(options: { sessionId: string; callId: string }): void {
      sql("DELETE FROM pending_approvals WHERE session_id = ? AND call_id = ?").run(
        options.sessionId,
        options.callId,
      );
    },
    /** Oldest first. */
    list(sessionId: string): PendingApproval[] {
      return sql("SELECT * FROM pending_approvals WHERE session_id = ? ORDER BY created_at, call_id")
        .all(sessionId)
        .map((row) => ({
          sessionId: String(row["session_id"]),
          callId: String(row["call_id"]),
          toolName: String(row["tool_name"]),
          argumentsJson: String(row["arguments_json"]),
          requester: String(row["requester"]),
          createdAt: String(row["created_at"]),
        }));
    },
  };
}
