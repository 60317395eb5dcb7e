import type { FastifyInstance } from "fastify";
import { NetclawError } from "../../../protocol/errors.ts";
import type { McpServersResponse, McpToolsResponse } from "../../../protocol/mcp.ts";
import type { McpServers } from "../../mcp/mcp-servers.ts";
import type { McpAccess } from "../../tools/policy/mcp-policy.ts";

type Access = (mcp: { server: string; tool: string }) => Record<string, McpAccess>;

/**
 * `GET /api/mcp/servers` (each server's state) and `GET /api/mcp/servers/:name/tools` (its tools,
 * each with every audience's access: its approval mode, `not granted` or `server not allowed`).
 */
export function mcpRoutes(options: { servers: McpServers; access: Access }) {
  return (app: FastifyInstance) => {
    app.get(
      "/api/mcp/servers",
      async (): Promise<McpServersResponse> => ({ servers: options.servers.status() }),
    );
    app.get("/api/mcp/servers/:name/tools", async (request): Promise<McpToolsResponse> => {
      const { name } = request.params as { name: string };
      const server = options.servers.status().find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (!server)
        throw new NetclawError(
          "mcp_server_not_found",
          `No MCP server '${name}' is configured (McpServers.${name}).`,
          { status: 404 },
        );
      const tools = options.servers
        .tools()
        .filter((tool) => tool.mcp?.server === server.name)
        .map((tool) => ({
          name: tool.name,
          description: tool.description,
          access: options.access({ server: server.name, tool: tool.mcp!.tool }),
        }));
      return { server, tools };
    });
  };
}
