-- Tool approvals still waiting for an answer: the journal that lets a pending prompt survive a
-- daemon restart. A row lives from the approval_requested event until the requester answers
-- (or the turn is cancelled); on load the session runs the call again, which announces the
-- prompt anew. arguments_json is the call's arguments, redacted like the events.
CREATE TABLE pending_approvals (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  call_id TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  arguments_json TEXT NOT NULL,
  requester TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (session_id, call_id)
) STRICT, WITHOUT ROWID;

-- The project directory a session's agent chose with set_working_directory, and the project
-- instructions it loaded (redacted), so the prompt keeps them across evictions and restarts.
CREATE TABLE session_working_directories (
  session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  instructions_file TEXT,
  instructions TEXT,
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
