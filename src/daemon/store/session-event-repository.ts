import type { DatabaseSync } from "node:sqlite";
import { type SessionEvent, sessionEventSchema } from "../../protocol/events.ts";
import { createStatementCache } from "./statement-cache.ts";

export type SessionEventRepository = ReturnType<typeof createSessionEventRepository>;

export type IdempotencyRecord = { messageId: string; eventId: number };

/**
 * The append-only event log (`session_events`) and the Idempotency-Key records that point into
 * it. Payloads are the protocol's event JSON; a row that no longer parses (written by a newer
 * build, or damaged) is skipped rather than failing the whole transcript.
 */
export function createSessionEventRepository(db: DatabaseSync) {
  const sql = createStatementCache(db);
  const parseRows = (rows: Record<string, unknown>[]): SessionEvent[] => {
    const events: SessionEvent[] = [];
    for (const row of rows) {
      try {
        const parsed = sessionEventSchema.safeParse(JSON.parse(String(row["payload"])));
        if (parsed.success) events.push(parsed.data);
      } catch {
        // unreadable row: skipped (see the doc comment)
      }
    }
    return events;
  };

  return {
    append(event: SessionEvent): void {
      sql("INSERT INTO session_events (session_id, id, type, at, payload) VALUES (?, ?, ?, ?, ?)").run(
        event.sessionId,
        event.id,
        event.type,
        event.at,
        JSON.stringify(event),
      );
    },

    /** Stored events with `id > after`, ascending; at most `limit` when given. */
    listAfter(options: { sessionId: string; after: number; limit?: number }): SessionEvent[] {
      const rows = sql(
        "SELECT payload FROM session_events WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?",
      ).all(options.sessionId, options.after, options.limit ?? -1);
      return parseRows(rows);
    },

    /** Stored events with `after < id <= upTo`, ascending. */
    listBetween(options: { sessionId: string; after: number; upTo: number }): SessionEvent[] {
      const rows = sql(
        "SELECT payload FROM session_events WHERE session_id = ? AND id > ? AND id <= ? ORDER BY id",
      ).all(options.sessionId, options.after, options.upTo);
      return parseRows(rows);
    },

    findIdempotencyKey(options: { sessionId: string; key: string }): IdempotencyRecord | undefined {
      const row = sql(
        "SELECT message_id, event_id FROM session_idempotency_keys WHERE session_id = ? AND key = ?",
      ).get(options.sessionId, options.key);
      return row ? { messageId: String(row["message_id"]), eventId: Number(row["event_id"]) } : undefined;
    },

    saveIdempotencyKey(options: {
      sessionId: string;
      key: string;
      messageId: string;
      eventId: number;
      at: string;
    }): void {
      sql(
        "INSERT INTO session_idempotency_keys (session_id, key, message_id, event_id, created_at) VALUES (?, ?, ?, ?, ?)",
      ).run(options.sessionId, options.key, options.messageId, options.eventId, options.at);
    },
  };
}
