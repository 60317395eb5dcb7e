import type { FastifyInstance } from "fastify";
import { NetclawError } from "../../../protocol/errors.ts";
import type { McpServers } from "../../mcp/mcp-servers.ts";

/** `GET /api/mcp/servers` (each server's state) and `GET /api/mcp/servers/:name/tools` (its tools). */
export function mcpRoutes(options: { servers: McpServers }) {
  return (app: FastifyInstance) => {
    app.get("/api/mcp/servers", async () => ({ servers: options.servers.status() }));
    app.get("/api/mcp/servers/:name/tools", async (request) => {
      const { name } = request.params as { name: string };
      const server = options.servers.status().find((s) => s.name === name);
      if (!server)
        throw new NetclawError(
          "mcp_server_not_found",
          `No MCP server '${name}' is configured (McpServers.${name}).`,
          {
            status: 404,
          },
        );
      const prefix = `${name}/`;
      const tools = options.servers
        .tools()
        .filter((tool) => tool.definition.name.startsWith(prefix))
        .map((tool) => ({ name: tool.definition.name, description: tool.definition.description }));
      return { server, tools };
    });
  };
}
