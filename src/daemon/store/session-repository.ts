import type { DatabaseSync } from "node:sqlite";
import type { Channel, SessionSummary } from "../../protocol/sessions.ts";
import { createStatementCache } from "./statement-cache.ts";

export type SessionStatus = SessionSummary["status"];

/** A row of `sessions`, as the engine uses it. */
export type SessionRecord = SessionSummary & {
  /** Every event id handed out for this session is <= this (hi/lo high-water mark). */
  eventIdReserved: number;
};

type Row = Record<string, unknown>;

function toRecord(row: Row): SessionRecord {
  return {
    sessionId: String(row["id"]),
    name: row["name"] === null ? null : String(row["name"]),
    title: row["title"] === null ? null : String(row["title"]),
    channel: String(row["channel"]) as Channel,
    status: String(row["status"]) as SessionStatus,
    turnCount: Number(row["turn_count"]),
    createdAt: String(row["created_at"]),
    lastActivity: String(row["last_activity"]),
    eventIdReserved: Number(row["event_id_reserved"]),
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;

/**
 * The `sessions` catalog. Every method is one synchronous statement (callers compose them inside
 * `Store.transaction` when several must land together). Names are unique; `create` with a name
 * already taken throws the SQLite constraint error, so callers look up by name first.
 */
export function createSessionRepository(db: DatabaseSync) {
  const sql = createStatementCache(db);

  return {
    create(options: { id: string; name: string | null; channel: Channel; at: string }): SessionRecord {
      sql("INSERT INTO sessions (id, name, channel, created_at, last_activity) VALUES (?, ?, ?, ?, ?)").run(
        options.id,
        options.name,
        options.channel,
        options.at,
        options.at,
      );
      return this.get(options.id)!;
    },

    get(id: string): SessionRecord | undefined {
      const row = sql("SELECT * FROM sessions WHERE id = ?").get(id);
      return row ? toRecord(row) : undefined;
    },

    getByName(name: string): SessionRecord | undefined {
      const row = sql("SELECT * FROM sessions WHERE name = ?").get(name);
      return row ? toRecord(row) : undefined;
    },

    /** Newest activity first. */
    list(limit: number): SessionRecord[] {
      return sql("SELECT * FROM sessions ORDER BY last_activity DESC, id LIMIT ?").all(limit).map(toRecord);
    },

    /**
     * Sessions `ref` may mean (`netclaw chat --resume <ref>`): the one with that id, the one with
     * that name, and those whose id starts with it (ids are lower-case UUIDs, so the prefix is
     * compared lower-cased). Newest activity first, at most `limit`.
     */
    findByRef(ref: string, limit: number): SessionRecord[] {
      const prefix = ref.toLowerCase();
      return sql(
        "SELECT * FROM sessions WHERE id = ? OR name = ? OR substr(id, 1, ?) = ? ORDER BY last_activity DESC, id LIMIT ?",
      )
        .all(ref, ref, prefix.length, prefix, limit)
        .map(toRecord);
    },

    count(): number {
      return Number(sql("SELECT count(*) AS n FROM sessions").get()?.["n"] ?? 0);
    },

    /** Sessions whose turn was in flight when the daemon last stopped (recovery candidates). */
    listInFlight(): SessionRecord[] {
      return sql("SELECT * FROM sessions WHERE status <> 'idle' ORDER BY id").all().map(toRecord);
    },

    setStatus(options: { id: string; status: SessionStatus; at: string }): void {
      sql("UPDATE sessions SET status = ?, last_activity = ? WHERE id = ?").run(
        options.status,
        options.at,
        options.id,
      );
    },

    startTurn(options: { id: string; turnCount: number; at: string }): void {
      sql("UPDATE sessions SET status = 'processing', turn_count = ?, last_activity = ? WHERE id = ?").run(
        options.turnCount,
        options.at,
        options.id,
      );
    },

    setTitle(options: { id: string; title: string }): void {
      sql("UPDATE sessions SET title = ? WHERE id = ?").run(options.title, options.id);
    },

    touch(options: { id: string; at: string }): void {
      sql("UPDATE sessions SET last_activity = ? WHERE id = ?").run(options.at, options.id);
    },

    /**
     * Reserves `count` more event ids and returns the new high-water mark; ids up to it may be
     * handed out. Durable before it returns, so a crash never causes an id to be reused.
     */
    reserveEventIds(options: { id: string; count: number }): number {
      const row = sql(
        "UPDATE sessions SET event_id_reserved = event_id_reserved + ? WHERE id = ? RETURNING event_id_reserved",
      ).get(options.count, options.id);
      if (!row) throw new Error(`session ${options.id} does not exist`);
      return Number(row["event_id_reserved"]);
    },
  };
}
