import type { FindOptions } from "./memory-store.ts";
import type { Audience, MemoryHit, MemoryScope } from "./memory-types.ts";

/** What recall searches: the memory store, or anything that answers the same question. */
export type MemorySearch = { find(options: FindOptions): MemoryHit[] | Promise<MemoryHit[]> };

export type RecallStatus = "ok" | "skipped" | "timeout" | "error";

export type RecallResult = {
  items: MemoryHit[];
  status: RecallStatus;
  elapsedMs: number;
  /** Why recall was skipped or failed; never contains item content. */
  reason?: string;
};

export type RecallOptions = {
  text: string;
  audience: Audience;
  scope?: MemoryScope | readonly MemoryScope[];
  /** `Memory.AutoRecallMaxItems` (3). 0 turns recall off. */
  maxItems: number;
  /** `Memory.RecallTimeoutMs` (300). */
  timeoutMs: number;
};

export type RecallLogger = { warn(obj: object, msg: string): void };

const TIMED_OUT = Symbol("timeout");

/**
 * Creates the per-turn recall used for the volatile prompt block. The returned function never
 * throws and never rejects: a Public audience, an empty text or `maxItems` 0 is `skipped`; a
 * search that fails is `error`; one that has not answered within `timeoutMs` (or answered after
 * it — a synchronous SQLite query cannot be interrupted, so its late result is discarded) is
 * `timeout`. Every non-ok outcome but `skipped` is logged as a warning, so a turn goes on
 * without memories and the operator still sees why.
 */
export function createRecall(options: {
  search: MemorySearch;
  logger: RecallLogger;
  now?: () => number;
}): (request: RecallOptions) => Promise<RecallResult> {
  const now = options.now ?? (() => performance.now());
  return async (request) => {
    const started = now();
    const elapsed = () => Math.max(0, now() - started);
    if (request.audience === "Public")
      return { items: [], status: "skipped", elapsedMs: 0, reason: "public" };
    if (request.maxItems <= 0 || request.text.trim() === "") {
      return { items: [], status: "skipped", elapsedMs: 0, reason: "nothing to recall" };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const search = Promise.resolve().then(() =>
        options.search.find({
          query: request.text,
          audience: request.audience,
          limit: request.maxItems,
          ...(request.scope === undefined ? {} : { scope: request.scope }),
        }),
      );
      const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), request.timeoutMs);
      });
      const outcome = await Promise.race([search, deadline]);
      if (outcome === TIMED_OUT || elapsed() > request.timeoutMs) {
        search.catch(() => {}); // a late failure must not become an unhandled rejection
        const reason = `no answer within ${request.timeoutMs} ms`;
        options.logger.warn(
          { elapsedMs: Math.round(elapsed()), timeoutMs: request.timeoutMs },
          "Memory recall timed out; the turn continues without memories",
        );
        return { items: [], status: "timeout", elapsedMs: elapsed(), reason };
      }
      return { items: outcome.slice(0, request.maxItems), status: "ok", elapsedMs: elapsed() };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.logger.warn({ err: reason }, "Memory recall failed; the turn continues without memories");
      return { items: [], status: "error", elapsedMs: elapsed(), reason };
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The volatile prompt block for recalled items, or "" when there are none. Items are marked as
 * remembered notes (possibly stale), with ids so the model can `get_memories` the full text.
 */
export function formatRecallBlock(items: readonly MemoryHit[]): string {
  if (items.length === 0) return "";
  const lines = items.map((item) => `- [${item.id}] ${item.title}: ${item.snippet}`);
  return [
    "Relevant memories (recalled automatically; they may be outdated — use get_memories for the full text):",
    ...lines,
  ].join("\n");
}
