import type { HomePaths } from "../../config/home.ts";
import type { NetclawConfig } from "../../config/schema.ts";
import type { HealthStatus } from "../../protocol/health.ts";
import type { ExtraTool } from "../agent/extra-tools.ts";
import { mcpRoutes } from "../http/routes/mcp.ts";
import type { Logger } from "../lifecycle/logger.ts";
import type { ModelClient } from "../llm/model-client.ts";
import { mcpServerFilter } from "../mcp/mcp-audience.ts";
import { createMcpServers } from "../mcp/mcp-servers.ts";
import type { SessionDeps } from "../sessions/session-deps.ts";
import { openMemoryWiring } from "./memory.ts";
import type { LaunchSessions } from "./reminder-launcher.ts";
import { createReminderWiring } from "./reminders.ts";
import { createSessionAudience, type SessionInfo } from "./session-audience.ts";

/**
 * Reminders, long-term memory and MCP servers, wired for main.ts in one place: the extra tools
 * of each session (merged onto its dispatcher with composeDispatcher), the per-turn recall, the
 * after-turn memory proposals, the HTTP routes, the status sections and the lifecycle (`start` after listen, `stop` while draining,
 * `close` at exit). `audienceOf` is a session's audience — a reminder run keeps its reminder's.
 * Memory that cannot be opened and MCP servers that cannot connect are logged, never fatal.
 */
export async function openOperations(options: {
  paths: HomePaths;
  config: NetclawConfig;
  env: NodeJS.ProcessEnv;
  appVersion: string;
  /** Memory proposals ask its Compaction role. */
  model: ModelClient;
  logger: Logger;
  sessions: () => LaunchSessions;
}) {
  const { config, logger } = options;
  const reminders = createReminderWiring({
    paths: options.paths,
    enabled: config.Scheduling.Enabled,
    sessions: options.sessions,
    logger: logger.child({ component: "scheduler" }, { level: "info" }),
  });
  const audienceOf = createSessionAudience([(session) => reminders.audienceOfSession(session.name)]);
  const memory = await openMemoryWiring({
    root: options.paths.root,
    settings: config.Memory,
    appVersion: options.appVersion,
    model: options.model,
    audienceOf,
    logger: logger.child({ component: "memory" }),
  }).catch((error: unknown) => {
    logger.error({ err: error }, "long-term memory is unavailable: its database could not be opened");
    return undefined;
  });
  const mcp = createMcpServers({
    servers: config.McpServers,
    env: options.env,
    logger: logger.child({ component: "mcp" }),
    timeoutMs: 10_000,
    clientVersion: options.appVersion,
  });
  await mcp.start(); // a server that fails is degraded, never the daemon

  return {
    audienceOf,
    /**
     * The extra tools of one session, read on each request (MCP servers that reconnect add
     * theirs). MCP tools start with no grants and have no approval path yet: Personal sessions
     * by default, other audiences only through `Tools.AudienceProfiles.<Audience>.McpServersMode`.
     */
    extraTools(session: SessionInfo): () => ExtraTool[] {
      const audience = audienceOf(session);
      const own = [
        ...reminders.tools({ sessionId: session.sessionId, audience }),
        ...(memory?.tools(session) ?? []),
      ];
      const allowMcp = mcpServerFilter({ audience, profiles: config.Tools.AudienceProfiles });
      return () => [...own, ...mcp.tools(allowMcp)];
    },
    /** The recalled-memory block of a turn ("" without memory). */
    recall: async (request: SessionInfo & { text: string }) => (memory ? memory.recall(request) : ""),
    /** After a completed turn: memories proposed from it (nothing without memory). */
    proposeMemories: (async (turn) => memory?.proposeMemories(turn)) satisfies SessionDeps["proposeMemories"],
    routes: [reminders.routes, mcpRoutes({ servers: mcp })],
    sections: (): Pick<HealthStatus, "reminders" | "memory" | "mcp"> => ({
      reminders: reminders.summary(),
      memory: memory?.summary(),
      mcp: mcp.status(),
    }),
    /** After listen: the scheduler starts firing (when `Scheduling.Enabled`). */
    start: () => reminders.start(),
    /** While draining: running reminder runs are cancelled and recorded. */
    stop: () => reminders.stop(),
    /** At exit, after the sessions have drained. */
    close(): void {
      void mcp.close();
      memory?.close();
    },
  };
}

export type Operations = Awaited<ReturnType<typeof openOperations>>;
