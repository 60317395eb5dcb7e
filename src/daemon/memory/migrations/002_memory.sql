-- Long-term memory (reference/agent.md §6). One row per remembered item; audience is the most
-- permissive audience allowed to see it (Public never has memory, so it is not a valid value).
-- scope is the hard scope: 'user:<id>', 'project:<id>' or 'channel:<id>'.
CREATE TABLE memory_items (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  -- JSON array of strings; the FTS index tokenizes it like text.
  tags TEXT NOT NULL DEFAULT '[]',
  scope TEXT NOT NULL,
  audience TEXT NOT NULL CHECK (audience IN ('Personal', 'Team')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX memory_items_scope ON memory_items (scope, audience);

-- External-content FTS5 index over memory_items, kept in step by the triggers below. The porter
-- stemmer lets "deploying" find "deployment".
CREATE VIRTUAL TABLE memory_fts USING fts5 (
  title, content, tags,
  content = 'memory_items',
  content_rowid = 'rowid',
  tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER memory_items_ai AFTER INSERT ON memory_items BEGIN
  INSERT INTO memory_fts (rowid, title, content, tags) VALUES (new.rowid, new.title, new.content, new.tags);
END;

CREATE TRIGGER memory_items_ad AFTER DELETE ON memory_items BEGIN
  INSERT INTO memory_fts (memory_fts, rowid, title, content, tags)
  VALUES ('delete', old.rowid, old.title, old.content, old.tags);
END;

CREATE TRIGGER memory_items_au AFTER UPDATE ON memory_items BEGIN
  INSERT INTO memory_fts (memory_fts, rowid, title, content, tags)
  VALUES ('delete', old.rowid, old.title, old.content, old.tags);
  INSERT INTO memory_fts (rowid, title, content, tags) VALUES (new.rowid, new.title, new.content, new.tags);
END;

-- Memories proposed after a turn, written before the turn is reported done and applied later, so
-- a crash between proposing and storing loses nothing. A row is marked applied in the same
-- transaction that writes its item.
CREATE TABLE memory_proposals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  item_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX memory_proposals_status ON memory_proposals (status, id);
