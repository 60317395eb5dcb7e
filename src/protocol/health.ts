import { z } from "zod";
import { mcpServerStatusSchema } from "./mcp.ts";

/** `GET /api/health/status` — shared by the daemon (producer) and the CLI (consumer). */
export const healthStatusSchema = z.object({
  overall: z.enum(["healthy", "degraded"]),
  problems: z.array(z.string()),
  build: z.object({ version: z.string(), commit: z.string() }),
  process: z.object({
    pid: z.number(),
    startedAt: z.string(),
    uptimeSeconds: z.number(),
    rssBytes: z.number(),
    nodeVersion: z.string(),
  }),
  exposure: z.object({ mode: z.string(), host: z.string(), port: z.number(), exposes: z.string() }),
  model: z.object({
    state: z.enum(["valid", "none"]),
    degraded: z.boolean(),
    provider: z.string().optional(),
    providerType: z.string().optional(),
    modelId: z.string().optional(),
    contextWindow: z.number().optional(),
    message: z.string().optional(),
  }),
  persistence: z.object({
    provider: z.literal("sqlite"),
    path: z.string(),
    schemaVersion: z.number(),
    healthy: z.boolean(),
  }),
  update: z.object({
    state: z.enum(["unknown", "up-to-date", "update-available"]),
    currentVersion: z.string(),
    latestVersion: z.string().nullable(),
    channel: z.string(),
    selfUpdateDisabled: z.boolean(),
    checkedAt: z.string().nullable(),
    message: z.string().optional(),
  }),
  home: z.string(),
  /** Stored sessions and turns running now (absent from daemons before sessions existed). */
  sessions: z.object({ count: z.number(), activeTurns: z.number() }).optional(),
  /** Reminders (absent when `Scheduling.Enabled` is false). */
  reminders: z
    .object({
      total: z.number(),
      enabled: z.number(),
      running: z.number(),
      queued: z.number(),
      problems: z.number(),
      nextRunAt: z.string().nullable(),
    })
    .optional(),
  /** Long-term memory (absent when its database could not be opened). */
  memory: z.object({ enabled: z.boolean(), items: z.number(), pendingProposals: z.number() }).optional(),
  /** One entry per configured MCP server. */
  mcp: z
    .array(
      mcpServerStatusSchema.extend({
        /** Tools some audience may use (granted, server allowed, not Deny); servers start with none. */
        granted: z.number().optional(),
      }),
    )
    .optional(),
});

export type HealthStatus = z.infer<typeof healthStatusSchema>;

export const shutdownResponseSchema = z.object({ reason: z.string(), pid: z.number() });
