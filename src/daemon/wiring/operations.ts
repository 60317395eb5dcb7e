import type { HomePaths } from "../../config/home.ts";
import type { NetclawConfig } from "../../config/schema.ts";
import type { HealthStatus } from "../../protocol/health.ts";
import type { ExtraTool } from "../agent/extra-tools.ts";
import { mcpRoutes } from "../http/routes/mcp.ts";
import type { Logger } from "../lifecycle/logger.ts";
import type { ModelClient } from "../llm/model-client.ts";
import { createMcpServers } from "../mcp/mcp-servers.ts";
import type { SessionDeps } from "../sessions/session-deps.ts";
import { mcpAccess } from "../tools/policy/mcp-policy.ts";
import type { SecretRedactor } from "../tools/policy/redaction.ts";
import { openMemoryWiring } from "./memory.ts";
import type { LaunchSessions } from "./reminder-launcher.ts";
import { createReminderWiring } from "./reminders.ts";
import {
  createSessionAudience,
  type SessionAudience,
  type SessionInfo,
  type TurnInfo,
} from "./session-audience.ts";

/**
 * Reminders, long-term memory and MCP servers, wired for main.ts in one place: the extra tools
 * of each turn (merged onto its dispatcher with composeDispatcher), the MCP servers' tools (for
 * the tool runner and its policy), the per-turn recall, the after-turn memory proposals, the HTTP routes, the status sections and
 * the lifecycle (`start` after listen, `stop` while draining, `close` at exit). `audienceOf` is a
 * turn's audience — a reminder run keeps its reminder's, even inside another session.
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
  /** The daemon's known secrets (see daemon-secrets.ts): memory never stores them. */
  secrets: () => SecretRedactor;
  sessions: () => LaunchSessions;
  /** More stored audiences by session (a webhook delivery's route); undefined when they do not know it. */
  sessionAudiences?: ReadonlyArray<(session: SessionInfo) => SessionAudience | undefined>;
}) {
  const { config, logger } = options;
  const reminders = createReminderWiring({
    paths: options.paths,
    enabled: config.Scheduling.Enabled,
    sessions: options.sessions,
    logger: logger.child({ component: "scheduler" }, { level: "info" }),
  });
  const audienceOf = createSessionAudience({
    sessionOverrides: [
      (session) => reminders.audienceOfSession(session.name),
      ...(options.sessionAudiences ?? []),
    ],
    reminderAudience: (id) => reminders.audienceOfReminder(id),
  });
  const memory = await openMemoryWiring({
    root: options.paths.root,
    settings: config.Memory,
    appVersion: options.appVersion,
    model: options.model,
    audienceOf,
    redactText: (text) => options.secrets().text(text),
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

  /** Each server's state, with how many of its tools some audience may use (servers start with none). */
  const mcpStatus = () => {
    const usable = mcp
      .tools()
      .filter((tool) =>
        Object.values(mcpAccess({ config, mcp: tool.mcp! })).some((a) => a === "Auto" || a === "Approval"),
      );
    return mcp.status().map((server) => ({
      ...server,
      // A server's error may quote its command line or URL, with the tokens in them.
      ...(server.error === undefined ? {} : { error: options.secrets().text(server.error) }),
      granted: usable.filter((tool) => tool.mcp?.server === server.name).length,
    }));
  };

  return {
    audienceOf,
    /**
     * The reminder and memory tools of one session, per turn: a turn a reminder drives gets the
     * tools of the reminder's audience. Built once per audience (their schemas cost time).
     */
    extraTools(session: SessionInfo): (turn: { requester?: string | undefined }) => ExtraTool[] {
      const built = new Map<SessionAudience, ExtraTool[]>();
      return (turn) => {
        const audience = audienceOf({ ...session, requester: turn.requester });
        let tools = built.get(audience);
        if (!tools) {
          tools = [
            ...reminders.tools({ sessionId: session.sessionId, audience }),
            ...(memory?.tools({ ...session, audience }) ?? []),
          ];
          built.set(audience, tools);
        }
        return tools;
      };
    },
    /** Every connected MCP server's tools as `<server>/<tool>`; the tool policy decides who may use them. */
    mcpTools: () => mcp.tools(),
    /** The recalled-memory block of a turn ("" without memory). */
    recall: async (request: TurnInfo & { text: string }) => (memory ? memory.recall(request) : ""),
    /** After a completed turn: memories proposed from it (nothing without memory). */
    proposeMemories: (async (turn) => memory?.proposeMemories(turn)) satisfies SessionDeps["proposeMemories"],
    routes: [
      reminders.routes,
      mcpRoutes({ servers: mcp, access: (tool) => mcpAccess({ config, mcp: tool }) }),
    ],
    sections: (): Pick<HealthStatus, "reminders" | "memory" | "mcp"> => ({
      reminders: reminders.summary(),
      memory: memory?.summary(),
      mcp: mcpStatus(),
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
