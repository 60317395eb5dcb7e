import { z } from "zod";
import type { McpServerConfig } from "../../config/schema.ts";
import type { McpServerStatus } from "../../protocol/mcp.ts";
import type { Tool } from "../tools/tool.ts";
import {
  createMcpConnection,
  type McpConnection,
  type McpLogger,
  type McpToolInfo,
} from "./mcp-connection.ts";

/** The server validates its own arguments; netclaw passes the object through untouched. */
const ANY_OBJECT = z.object({}).loose();

/** Separator of the exposed name `<server>/<tool>`. */
export const MCP_TOOL_SEPARATOR = "/";

function parametersOf(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest.type === "object" ? rest : { type: "object", properties: {} };
}

/** One server tool as a runner tool `<server>/<tool>`; the server validates its own arguments. */
function wrap(connection: McpConnection, tool: McpToolInfo): Tool {
  return {
    name: `${connection.name}${MCP_TOOL_SEPARATOR}${tool.name}`,
    description: `[MCP server ${connection.name}] ${tool.description}`.trim(),
    parameters: ANY_OBJECT,
    mcp: { server: connection.name, tool: tool.name, inputSchema: parametersOf(tool.inputSchema) },
    execute: (args, ctx) =>
      connection.call({ tool: tool.name, args, signal: ctx.signal, timeoutMs: ctx.timeoutMs }),
  };
}

/**
 * Every `McpServers.<name>` of the configuration: `start` connects the enabled ones in parallel
 * (a server that fails is degraded, never fatal), `tools` exposes their tools as `<server>/<tool>`
 * (the current listing, so a server that connects later adds its tools), `status` reports each
 * server for `status` and `doctor`.
 */
export function createMcpServers(options: {
  servers: Record<string, McpServerConfig>;
  env: NodeJS.ProcessEnv;
  logger: McpLogger;
  timeoutMs: number;
  clientVersion: string;
}) {
  const connections: Array<{
    config: McpServerConfig;
    connection: McpConnection;
    wrapped?: { listing: readonly McpToolInfo[]; tools: Tool[] };
  }> = Object.entries(options.servers).map(([name, config]) => ({
    config,
    connection: createMcpConnection({
      name,
      config,
      env: options.env,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      clientVersion: options.clientVersion,
    }),
  }));

  return {
    /** Connects every enabled server; settles when each has connected or failed. */
    async start(): Promise<void> {
      await Promise.all(connections.map(({ connection }) => connection.connect()));
    },

    /**
     * The tools of every enabled server as `<server>/<tool>`, for the tool runner: the policy
     * decides who sees and may call them (grants, approval modes); the runner bounds their time
     * and redacts and spills their output like any tool's.
     */
    tools(): Tool[] {
      const out: Tool[] = [];
      for (const entry of connections) {
        const { connection } = entry;
        if (connection.state === "disabled") continue;
        // Read on every model request: wrapped once per listing (a reconnect brings a new one).
        if (entry.wrapped?.listing !== connection.tools)
          entry.wrapped = {
            listing: connection.tools,
            tools: connection.tools.map((t) => wrap(connection, t)),
          };
        out.push(...entry.wrapped.tools);
      }
      return out;
    },

    status(): McpServerStatus[] {
      return connections.map(({ config, connection }) => ({
        name: connection.name,
        transport: config.Transport,
        state: connection.state,
        tools: connection.tools.length,
        ...(connection.error === undefined ? {} : { error: connection.error }),
      }));
    },

    async close(): Promise<void> {
      await Promise.all(connections.map(({ connection }) => connection.close()));
    },
  };
}

export type McpServers = ReturnType<typeof createMcpServers>;
