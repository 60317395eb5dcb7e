import { join } from "node:path";
import type { Channel } from "../../../protocol/sessions.ts";
import { type ExtraTool, fromZodTool } from "../../agent/extra-tools.ts";
import type { Logger } from "../../lifecycle/logger.ts";
import type { ModelClient } from "../../llm/model-client.ts";
import {
  createMemoryStore,
  createMemoryTools,
  createProposalQueue,
  createRecall,
  formatRecallBlock,
  type MemoryScope,
  openMemoryDatabase,
} from "../../memory/index.ts";
import type { SessionAudience, TurnInfo } from "../../sessions/audience.ts";
import type { DaemonFeature, TurnTexts } from "../feature.ts";
import { createMemoryProposer } from "./proposals.ts";

/** The single operator of a self-hosted daemon: the `user:` scope every session shares. */
const OPERATOR = "operator";

function scopesOf(session: { channel: Channel }) {
  return { user: OPERATOR, channel: session.channel };
}

type MemoryOptions = {
  root: string;
  settings: {
    Enabled: boolean;
    RecallTimeoutMs: number;
    AutoRecallMaxItems: number;
    ProposeAfterTurns: boolean;
  };
  appVersion: string;
  /** Proposals ask its Compaction role; none are made while no model is configured. */
  model: ModelClient;
  audienceOf: (turn: TurnInfo) => SessionAudience;
  /** The daemon's redactor (configured secret values too), for memory proposals and every item written. */
  redactText?: (text: string) => string;
  /** The daemon's logger: the feature logs as `component: "memory"`. */
  logger: Logger;
};

/**
 * Long-term memory as a daemon feature. A database that cannot be opened is logged and leaves a
 * feature without hooks (no recall, no tools, no status section): never fatal.
 */
export async function openMemoryFeature(options: MemoryOptions): Promise<DaemonFeature> {
  try {
    return await openMemory({ ...options, logger: options.logger.child({ component: "memory" }) });
  } catch (error) {
    options.logger.error({ err: error }, "long-term memory is unavailable: its database could not be opened");
    return { name: "memory" };
  }
}

/**
 * Long-term memory: opens `memory/netclaw-memory.db` (its own migrations), applies
 * proposals queued before the last stop, and gives the per-turn recall hook, the after-turn
 * memory proposals and the per-session memory tools. A Public session gets none of them.
 * Throws when the database cannot be opened.
 */
async function openMemory(options: MemoryOptions): Promise<DaemonFeature> {
  const { settings, logger } = options;
  const database = await openMemoryDatabase({
    path: join(options.root, "memory", "netclaw-memory.db"),
    appVersion: options.appVersion,
    logger,
  });
  const memory = createMemoryStore({
    store: database,
    ...(options.redactText ? { redact: options.redactText } : {}),
  });
  const proposals = createProposalQueue({ memory });
  const applied = proposals.applyPending();
  if (applied.applied + applied.merged + applied.rejected + applied.failed > 0)
    logger.info(applied, "applied memory proposals queued before the last stop");
  const recall = createRecall({ search: memory, logger });
  const propose = createMemoryProposer({
    model: options.model,
    queue: proposals,
    logger,
    redactText: options.redactText,
  });

  return {
    name: "memory",
    /** The volatile-block text for a turn ("" when nothing is recalled); never rejects. */
    async beforeTurn(request: TurnInfo & { text: string }): Promise<string> {
      if (!settings.Enabled) return "";
      const scopes = scopesOf(request);
      const result = await recall({
        text: request.text,
        audience: options.audienceOf(request),
        scope: [`user:${scopes.user}`, `channel:${scopes.channel}`] as MemoryScope[],
        maxItems: settings.AutoRecallMaxItems,
        timeoutMs: settings.RecallTimeoutMs,
      });
      return formatRecallBlock(result.items);
    },
    /**
     * After a completed turn: durable facts the Compaction model proposes from it, queued and
     * applied with the scope and audience `store_memory` uses in that session. Never rejects;
     * bounded by `timeoutMs` and `signal`.
     */
    async afterTurn(turn: TurnInfo & TurnTexts): Promise<void> {
      if (!settings.Enabled || !settings.ProposeAfterTurns || !options.model.configured) return;
      const audience = options.audienceOf(turn);
      if (audience === "Public") return;
      await propose({ ...turn, scope: `user:${scopesOf(turn).user}`, audience });
    },
    /** `store_memory`, `find_memories`, `get_memories`, `update_memory` for one session at an audience; none for Public. */
    tools(session): ExtraTool[] {
      if (!settings.Enabled) return [];
      const { audience } = session;
      return createMemoryTools({ memory, session: { audience, scopes: scopesOf(session) } }).map(fromZodTool);
    },
    status: () => ({
      memory: {
        enabled: settings.Enabled,
        items: memory.count(),
        pendingProposals: proposals.pendingCount(),
      },
    }),
    close: () => database.close(),
  };
}
