import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { openStore, type Store, type StoreLogger } from "../store/sqlite.ts";
import { ftsQuery } from "./fts-query.ts";
import {
  type Audience,
  LIMITS,
  MemoryError,
  type MemoryHit,
  type MemoryInput,
  type MemoryItem,
  type MemoryScope,
  mayWriteFor,
  memoryInputSchema,
  visibleAudiences,
} from "./memory-types.ts";

/** The memory database's migrations (its own file, `memory/netclaw-memory.db`). */
export const memoryMigrationsDir = join(import.meta.dirname, "migrations");

/** Column weights for bm25: a title hit counts most, then tags, then the body. */
const BM25 = "bm25(memory_fts, 4.0, 1.0, 2.0)";
const SNIPPET_CHARS = 240;

export type FindOptions = {
  query: string;
  audience: Audience;
  /** 1–100; default 10. */
  limit?: number;
  /** Only items in this scope (or any of these; an empty list matches nothing); every scope when absent. */
  scope?: MemoryScope | readonly MemoryScope[];
};

export type MemoryPatch = { title?: string; content?: string; tags?: string[] };

export type MemoryStore = {
  /** Validates and stores an item for `input.audience`; throws MemoryError when the caller may not. */
  store(input: MemoryInput & { caller?: Audience }): MemoryItem;
  /** Items matching `query`, best bm25 first, only from audiences the caller may see. Never FTS syntax errors. */
  find(options: FindOptions): MemoryHit[];
  /** Full items by id, in the order asked; ids unknown or not visible are left out. */
  get(options: { ids: readonly string[]; audience: Audience }): MemoryItem[];
  /** Changes title/content/tags of a visible item; throws `memory_not_found` otherwise. */
  update(options: { id: string; audience: Audience; patch: MemoryPatch }): MemoryItem;
  /** Number of stored items (all audiences), for status. */
  count(): number;
  /** The transaction helper of the underlying store (the proposal queue writes through it). */
  readonly database: Store;
};

type Row = Record<string, SQLInputValue>;

function toItem(row: Row): MemoryItem {
  return {
    id: String(row.id),
    title: String(row.title),
    content: String(row.content),
    tags: JSON.parse(String(row.tags)) as string[],
    scope: String(row.scope) as MemoryScope,
    audience: String(row.audience) as MemoryItem["audience"],
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

function snippet(content: string): string {
  const flat = content.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
}

function invalid(message: string): MemoryError {
  return new MemoryError("memory_invalid", message, { status: 400 });
}

function publicRefused(): MemoryError {
  return new MemoryError(
    "memory_public_audience",
    "Memory is not available to the Public audience: nothing is stored or recalled in Public sessions.",
    { status: 403 },
  );
}

/**
 * Opens (creating and migrating) the memory database at `path`, by default
 * `<home>/memory/netclaw-memory.db`. The caller owns the store and must close it.
 */
export async function openMemoryDatabase(options: {
  path: string;
  appVersion: string;
  logger?: StoreLogger;
  now?: () => Date;
}): Promise<Store> {
  return openStore({ ...options, migrationsDir: memoryMigrationsDir });
}

/**
 * The memory repository over a migrated store. All reads filter by the caller's visible
 * audiences in SQL, so a Team or Public caller can never receive a Personal item.
 */
export function createMemoryStore(options: {
  store: Store;
  now?: () => Date;
  newId?: () => string;
  /**
   * Applied to the title, content and tags of every item written (the daemon's secret redactor):
   * memory outlives sessions and goes into backups, so no credential is ever stored in it.
   */
  redact?: (text: string) => string;
}): MemoryStore {
  const db: DatabaseSync = options.store.db;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => `mem_${randomUUID()}`);
  const redact = options.redact ?? ((text: string) => text);
  const redactInput = <T extends { title: string; content: string; tags: string[] }>(data: T): T => ({
    ...data,
    title: redact(data.title),
    content: redact(data.content),
    tags: data.tags.map(redact),
  });
  const cache = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

  const getOne = (id: string, audience: Audience): MemoryItem | undefined => {
    const audiences = visibleAudiences(audience);
    if (audiences.length === 0) return undefined;
    const row = prepare(
      `SELECT * FROM memory_items WHERE id = ? AND audience IN (${marks(audiences.length)})`,
    ).get(id, ...audiences);
    return row ? toItem(row as Row) : undefined;
  };

  return {
    database: options.store,
    store(input) {
      if ((input.audience as string) === "Public") throw publicRefused();
      const parsed = memoryInputSchema.safeParse(input);
      if (!parsed.success) {
        throw invalid(
          `Invalid memory: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`,
        );
      }
      const caller = input.caller ?? parsed.data.audience;
      if (caller === "Public") throw publicRefused();
      if (!mayWriteFor(caller, parsed.data.audience)) {
        throw invalid(`A ${caller} session cannot store a ${parsed.data.audience} memory.`);
      }
      const at = now().toISOString();
      const item: MemoryItem = { id: newId(), ...redactInput(parsed.data), createdAt: at, updatedAt: at };
      prepare(
        "INSERT INTO memory_items (id, title, content, tags, scope, audience, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(item.id, item.title, item.content, JSON.stringify(item.tags), item.scope, item.audience, at, at);
      return item;
    },

    find(find) {
      const audiences = visibleAudiences(find.audience);
      const match = ftsQuery(find.query);
      if (audiences.length === 0 || match === undefined) return [];
      const limit = Math.min(Math.max(Math.trunc(find.limit ?? 10), 1), 100);
      const scopes = find.scope === undefined ? [] : ([] as MemoryScope[]).concat(find.scope);
      if (find.scope !== undefined && scopes.length === 0) return []; // an empty scope list sees nothing
      const scopeFilter = scopes.length > 0 ? ` AND i.scope IN (${marks(scopes.length)})` : "";
      const sql =
        `SELECT i.id, i.title, i.content, i.tags, i.scope, i.audience, i.created_at, i.updated_at, ${BM25} AS score ` +
        "FROM memory_fts JOIN memory_items i ON i.rowid = memory_fts.rowid " +
        `WHERE memory_fts MATCH ? AND i.audience IN (${marks(audiences.length)})${scopeFilter} ` +
        "ORDER BY score LIMIT ?";
      const rows = prepare(sql).all(match, ...audiences, ...scopes, limit) as Row[];
      return rows.map((row) => {
        const { content, ...rest } = toItem(row);
        return { ...rest, snippet: snippet(content), score: Number(row.score) };
      });
    },

    get({ ids, audience }) {
      const seen = new Set<string>();
      const items: MemoryItem[] = [];
      for (const id of ids.slice(0, 100)) {
        if (seen.has(id)) continue;
        seen.add(id);
        const item = getOne(id, audience);
        if (item) items.push(item);
      }
      return items;
    },

    update({ id, audience, patch }) {
      if (audience === "Public") throw publicRefused();
      const current = getOne(id, audience);
      if (!current) {
        throw new MemoryError("memory_not_found", `No memory with id '${id}' is visible here.`, {
          status: 404,
        });
      }
      const parsed = memoryInputSchema.safeParse({
        title: patch.title ?? current.title,
        content: patch.content ?? current.content,
        tags: patch.tags ?? current.tags,
        scope: current.scope,
        audience: current.audience,
      });
      if (!parsed.success) {
        throw invalid(
          `Invalid memory update: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")} (limits: title ${LIMITS.title}, content ${LIMITS.content} characters).`,
        );
      }
      const at = now().toISOString();
      const data = redactInput(parsed.data);
      prepare("UPDATE memory_items SET title = ?, content = ?, tags = ?, updated_at = ? WHERE id = ?").run(
        data.title,
        data.content,
        JSON.stringify(data.tags),
        at,
        id,
      );
      return { ...current, ...data, updatedAt: at };
    },

    count() {
      return Number(prepare("SELECT count(*) AS n FROM memory_items").get()?.n ?? 0);
    },
  };
}
