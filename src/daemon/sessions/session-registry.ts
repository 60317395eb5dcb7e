import { NetclawError } from "../../protocol/errors.ts";
import type { Channel, SessionSummary } from "../../protocol/sessions.ts";
import type { SessionRecord } from "../store/session-repository.ts";
import type { SessionDeps } from "./session-deps.ts";
import { loadSessionEngine, type SessionEngine } from "./session-engine.ts";

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;

const LIST_LIMIT = 50;
const MATCH_LIMIT = 20;

/**
 * The live sessions of this daemon. Engines load lazily on first use and stay in memory while a
 * turn runs or a client watches; idle, unwatched ones are dropped by `evictIdle` (the store keeps
 * everything, so a later request simply loads them again).
 */
export function createSessionRegistry(options: { deps: SessionDeps; idleEvictMs?: number }) {
  const { deps } = options;
  const idleEvictMs = options.idleEvictMs ?? 10 * 60_000;
  const engines = new Map<string, { engine: SessionEngine; lastUsed: number }>();
  let closing = false;

  const load = (id: string): SessionEngine | undefined => {
    const cached = engines.get(id);
    if (cached) {
      cached.lastUsed = Date.now();
      return cached.engine;
    }
    const record = deps.sessions.get(id);
    if (!record) return undefined;
    const engine = loadSessionEngine({ record, deps });
    engines.set(id, { engine, lastUsed: Date.now() });
    return engine;
  };

  // Live engines know their in-memory status; the store's row may lag behind it.
  const summaryOf = (record: SessionRecord): SessionSummary => {
    const live = engines.get(record.sessionId)?.engine;
    if (live) return live.summary();
    const { eventIdReserved: _reserved, ...summary } = record;
    return summary;
  };

  return {
    /**
     * With a name: the session of that name (`created: false`) or a new one carrying it. Without:
     * always a new session. Throws `shutting_down` (503) while draining.
     */
    create(request: { name?: string | undefined; channel: Channel }): {
      session: SessionSummary;
      created: boolean;
    } {
      if (closing)
        throw new NetclawError("shutting_down", "netclawd is shutting down; retry after it restarts.", {
          status: 503,
          isRetryable: true,
        });
      return deps.transaction(() => {
        const existing = request.name === undefined ? undefined : deps.sessions.getByName(request.name);
        if (existing) return { session: load(existing.sessionId)!.summary(), created: false };
        const record = deps.sessions.create({
          id: deps.newId(),
          name: request.name ?? null,
          channel: request.channel,
          at: deps.now().toISOString(),
        });
        return { session: load(record.sessionId)!.summary(), created: true };
      });
    },

    /**
     * An unattended run (webhooks, reminders): the session named `name` (created when new) gets
     * `text` as a message — idempotently, so a retried delivery does not run twice — and its turn
     * is cancelled if it is still running after `timeoutMs`. Returns once the message is stored.
     */
    async startUnattended(request: {
      name: string;
      channel: Channel;
      text: string;
      timeoutMs: number;
    }): Promise<{ sessionId: string }> {
      const { session } = this.create({ name: request.name, channel: request.channel });
      const engine = load(session.sessionId)!;
      const sent = engine.send({ text: request.text, idempotencyKey: `unattended:${request.name}` });
      if (!sent.duplicate) {
        const timer = setTimeout(() => engine.cancel(), request.timeoutMs);
        timer.unref();
        void engine.idle().then(() => clearTimeout(timer));
        // Input larger than the context window: the turn refuses it (recorded in the session),
        // and the caller hears it too — NetclawError 413 `context_window_exceeded`, the numbers.
        // Anything else (the window could not be learned) is the turn's to report, not the caller's.
        await engine.admit(request.text).catch((error: unknown) => {
          if (error instanceof NetclawError && error.code === "context_window_exceeded") throw error;
        });
      }
      return { sessionId: session.sessionId };
    },

    /** The engine of a stored session, loading it if needed; undefined for an unknown id. */
    get: load,

    /** Newest activity first, at most 50; live engines report their in-memory status. */
    list(): SessionSummary[] {
      return deps.sessions.list(LIST_LIMIT).map(summaryOf);
    },

    /** The sessions `ref` may mean: exact id, exact name or id prefix (see SessionRepository). */
    find(ref: string): SessionSummary[] {
      return deps.sessions.findByRef(ref, MATCH_LIMIT).map(summaryOf);
    },

    count: () => deps.sessions.count(),

    /** Loads every session whose turn was in flight at the last stop, marking it interrupted. */
    recover(): number {
      const inFlight = deps.sessions.listInFlight();
      for (const record of inFlight) load(record.sessionId);
      return inFlight.length;
    },

    /** Drops engines that are idle, unwatched and unused for `idleEvictMs`. */
    evictIdle(now = Date.now()): void {
      for (const [id, entry] of engines) {
        if (!entry.engine.busy && entry.engine.subscriberCount === 0 && now - entry.lastUsed > idleEvictMs)
          engines.delete(id);
      }
    },

    get activeTurns(): number {
      let n = 0;
      for (const { engine } of engines.values()) if (engine.busy) n += 1;
      return n;
    },

    /**
     * Shutdown: refuse new input, let running turns finish for up to `timeoutMs`, then abort the
     * rest (they end `interrupted`) and wait for them to record it. Ends all subscriber streams.
     */
    async drain(drainOptions: { timeoutMs: number }): Promise<void> {
      closing = true;
      const all = [...engines.values()].map((entry) => entry.engine);
      for (const engine of all) engine.close({ abort: false });
      const idle = Promise.all(all.map((engine) => engine.idle()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        idle.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), drainOptions.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        for (const engine of all) engine.close({ abort: true });
        await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, 2000))]);
      }
      for (const engine of all) engine.closeSubscribers();
    },
  };
}
