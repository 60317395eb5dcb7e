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

export type WorkingDirectory = { path: string; instructionsFile?: string; instructions?: string };

export type ToolStateRepository = ReturnType<typeof createToolStateRepository>;

/**
 * A session's tool state that outlives its engine: the journal of approvals waiting for an answer
 * (`pending_approvals`) and the project directory (`session_working_directories`). One statement per call.
 */
export function createToolStateRepository(db: DatabaseSync) {
  const sql = createStatementCache(db);
  return {
    saveWorkingDirectory(options: { sessionId: string; directory: WorkingDirectory; at: string }): void {
      sql(
        `INSERT OR REPLACE INTO session_working_directories
           (session_id, path, instructions_file, instructions, updated_at) VALUES (?, ?, ?, ?, ?)`,
      ).run(
        options.sessionId,
        options.directory.path,
        options.directory.instructionsFile ?? null,
        options.directory.instructions ?? null,
        options.at,
      );
    },
    workingDirectory(sessionId: string): WorkingDirectory | undefined {
      const row = sql("SELECT * FROM session_working_directories WHERE session_id = ?").get(sessionId);
      if (!row) return undefined;
      return {
        path: String(row["path"]),
        ...(row["instructions_file"] === null ? {} : { instructionsFile: String(row["instructions_file"]) }),
        ...(row["instructions"] === null ? {} : { instructions: String(row["instructions"]) }),
      };
    },
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
