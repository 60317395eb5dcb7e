-- Sessions: the catalog row of each conversation, its append-only event log and the
-- Idempotency-Key records of POST /api/sessions/:id/messages.

-- status is persisted so that a start after a crash sees which turns were in flight ('processing'
-- or 'compacting') and marks them interrupted. event_id_reserved is the hi/lo high-water mark of
-- event ids: every id ever handed out (stored or live-only) is <= it, so ids stay strictly
-- increasing and are never reused, even after a kill -9 that lost unstored deltas.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  name TEXT UNIQUE,
  channel TEXT NOT NULL,
  title TEXT,
  status TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'processing', 'compacting')),
  turn_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  last_activity TEXT NOT NULL,
  event_id_reserved INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX sessions_by_activity ON sessions (last_activity DESC, id);
CREATE INDEX sessions_in_flight ON sessions (status) WHERE status <> 'idle';

-- payload is the whole event as JSON (the protocol's sessionEventSchema); type and at are copied
-- out for queries and debugging.
CREATE TABLE session_events (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (session_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE session_idempotency_keys (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (session_id, key)
) STRICT, WITHOUT ROWID;
