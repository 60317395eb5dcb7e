import type { DatabaseSync, StatementSync } from "node:sqlite";

/** Prepares each SQL text once per connection; repositories call the returned function per query. */
export function createStatementCache(db: DatabaseSync): (text: string) => StatementSync {
  const statements = new Map<string, StatementSync>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}
