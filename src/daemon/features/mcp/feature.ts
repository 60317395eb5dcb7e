import type { NetclawConfig } from "../../../config/schema.ts";
import type { Logger } from "../../lifecycle/logger.ts";
import { createMcpServers } from "../../mcp/mcp-servers.ts";
import { mcpAccess } from "../../tools/policy/mcp-policy.ts";
import type { SecretRedactor } from "../../tools/policy/redaction.ts";
import type { DaemonFeature } from "../feature.ts";
import { mcpRoutes } from "./routes.ts";

/**
 * The configured MCP servers as a daemon feature: their tools for the tool runner (the tool
 * policy decides who may use them), `/api/mcp/…` routes and a status section. A server that fails
 * to connect is degraded, never the daemon.
 */
export async function openMcpFeature(options: {
  config: NetclawConfig;
  env: NodeJS.ProcessEnv;
  appVersion: string;
  /** The daemon's logger: the feature logs as `component: "mcp"`. */
  logger: Logger;
  /** The daemon's known secrets: a server's error may quote its command line or URL, with tokens. */
  secrets: () => SecretRedactor;
}): Promise<DaemonFeature> {
  const { config } = options;
  const mcp = createMcpServers({
    servers: config.McpServers,
    env: options.env,
    logger: options.logger.child({ component: "mcp" }),
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
      ...(server.error === undefined ? {} : { error: options.secrets().text(server.error) }),
      granted: usable.filter((tool) => tool.mcp?.server === server.name).length,
    }));
  };

  return {
    name: "mcp",
    /** Every connected MCP server's tools as `<server>/<tool>`. */
    policyTools: () => mcp.tools(),
    routes: [mcpRoutes({ servers: mcp, access: (tool) => mcpAccess({ config, mcp: tool }) })],
    status: () => ({ mcp: mcpStatus() }),
    close(): void {
      void mcp.close();
    },
  };
}
