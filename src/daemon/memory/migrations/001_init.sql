-- Bookkeeping for the migration runner. It inserts one schema_version row per applied file, in the
-- same transaction as that file's statements, so a version row exists if and only if the whole
-- file took effect.
CREATE TABLE schema_version (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT;

-- Facts about the database itself (created_at, created_by_version, ...), written by the store.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
