import { z } from "zod";

/** One configured MCP server as the daemon sees it (`GET /api/mcp/servers`, `status`). */
export const mcpServerStatusSchema = z.object({
  name: z.string(),
  transport: z.string(),
  state: z.enum(["connected", "degraded", "disabled", "connecting"]),
  /** How many tools the server listed at its last connect. */
  tools: z.number(),
  error: z.string().optional(),
});
export type McpServerStatus = z.infer<typeof mcpServerStatusSchema>;

/** `GET /api/mcp/servers`. */
export const mcpServersResponseSchema = z.object({ servers: z.array(mcpServerStatusSchema) });
export type McpServersResponse = z.infer<typeof mcpServersResponseSchema>;

/**
 * `GET /api/mcp/servers/:name/tools`: the tools the daemon got from the server, exposed as
 * `<server>/<tool>`, each with every audience's access: its approval mode, `not granted` or
 * `server not allowed`.
 */
export const mcpToolsResponseSchema = z.object({
  server: mcpServerStatusSchema,
  tools: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      access: z.record(z.string(), z.string()),
    }),
  ),
});
export type McpToolsResponse = z.infer<typeof mcpToolsResponseSchema>;
