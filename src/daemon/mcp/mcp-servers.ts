import type { McpServerConfig } from "../../config/schema.ts";
import type { ExtraTool } from "../agent/extra-tools.ts";
import { createMcpConnection, type McpLogger, type McpState } from "./mcp-connection.ts";

export type McpServerStatus = {
  name: string;
  transport: string;
  state: McpState;
  tools: number;
  error?: string;
};

/** Separator of the exposed name `<server>/<tool>`. */
export const MCP_TOOL_SEPARATOR = "/";

function parametersOf(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest.type === "object" ? rest : { type: "object", properties: {} };
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
  const connections = Object.entries(options.servers).map(([name, config]) => ({
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

    /** The tools of every server `allow` admits (all when absent). */
    tools(allow: (server: string) => boolean = () => true): ExtraTool[] {
      const out: ExtraTool[] = [];
      for (const { connection } of connections) {
        if (connection.state === "disabled" || !allow(connection.name)) continue;
        for (const tool of connection.tools) {
          out.push({
            definition: {
              name: `${connection.name}${MCP_TOOL_SEPARATOR}${tool.name}`,
              description: `[MCP server ${connection.name}] ${tool.description}`.trim(),
              parameters: parametersOf(tool.inputSchema),
            },
            execute: (args, context) => connection.call({ tool: tool.name, args, signal: context.signal }),
          });
        }
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
