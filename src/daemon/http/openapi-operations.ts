import { z } from "zod";
import {
  createReminderRequestSchema,
  importRequestSchema,
  reminderSchema,
  reminderStateSchema,
  runRecordSchema,
} from "../../protocol/reminders.ts";

type Json = (type: z.ZodType, description: string) => Record<string, unknown>;

/**
 * The reminder and MCP server paths of the OpenAPI document (see openapi.ts), from the protocol
 * schemas the routes validate with.
 */
export function operationsPaths(helpers: {
  json: Json;
  error: (description: string) => Record<string, unknown>;
  body: (type: z.ZodType) => Record<string, unknown>;
}) {
  const { json, error, body } = helpers;
  const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
  const view = reminderSchema.and(z.object({ state: reminderStateSchema.extend({ active: z.boolean() }) }));
  const one = z.object({ reminder: view, created: z.boolean().optional() });
  const notFound = error("Unknown reminder, or not visible to the caller");
  const mcpServer = z.object({
    name: z.string(),
    transport: z.string(),
    state: z.enum(["connected", "degraded", "disabled", "connecting"]),
    tools: z.number(),
    error: z.string().optional(),
  });
  const action = (summary: string) => ({
    post: { summary, parameters: [id], responses: { "200": json(one, "The reminder"), "404": notFound } },
  });
  return {
    "/api/reminders": {
      get: {
        summary: "Reminders and unreadable reminder files",
        responses: {
          "200": json(
            z.object({
              reminders: z.array(view),
              problems: z.array(z.object({ file: z.string(), problem: z.string() })),
            }),
            "Reminders",
          ),
        },
      },
      post: {
        summary: "Create or update a reminder",
        requestBody: body(createReminderRequestSchema),
        responses: {
          "200": json(one, "Updated"),
          "201": json(one, "Created"),
          "400": error("Invalid reminder"),
        },
      },
    },
    "/api/reminders/validate": {
      post: {
        summary: "Check reminder documents without saving",
        requestBody: body(importRequestSchema),
        responses: { "200": { description: "Per-document problems" } },
      },
    },
    "/api/reminders/import": {
      post: {
        summary: "Save reminder documents",
        requestBody: body(importRequestSchema),
        responses: { "200": { description: "Imported ids" }, "400": error("Invalid documents") },
      },
    },
    "/api/reminders/{id}": {
      get: {
        summary: "One reminder with its state",
        parameters: [id],
        responses: { "200": json(one, "The reminder"), "404": notFound },
      },
      delete: {
        summary: "Delete a reminder, its state and history",
        parameters: [id],
        responses: { "204": { description: "Deleted" }, "404": notFound },
      },
    },
    "/api/reminders/{id}/enable": action("Turn a reminder on (scheduled from now)"),
    "/api/reminders/{id}/disable": action("Stop a reminder firing"),
    "/api/reminders/{id}/cancel": action("Cancel a reminder (disabled, history kept)"),
    "/api/reminders/{id}/run": {
      post: {
        summary: "Run a reminder now",
        parameters: [id],
        responses: {
          "202": json(z.object({ runId: z.string() }), "Started"),
          "404": notFound,
          "409": error("Already running"),
        },
      },
    },
    "/api/reminders/{id}/history": {
      get: {
        summary: "A reminder's latest runs (oldest first)",
        parameters: [
          id,
          {
            name: "last",
            in: "query",
            required: false,
            schema: { type: "integer", minimum: 1, maximum: 500 },
          },
        ],
        responses: {
          "200": json(z.object({ reminderId: z.string(), runs: z.array(runRecordSchema) }), "Runs"),
          "404": notFound,
        },
      },
    },
    "/api/mcp/servers": {
      get: {
        summary: "Configured MCP servers and their state",
        responses: { "200": json(z.object({ servers: z.array(mcpServer) }), "Servers") },
      },
    },
    "/api/mcp/servers/{name}/tools": {
      get: {
        summary: "The tools the daemon got from one MCP server (exposed as <server>/<tool>)",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": json(
            z.object({
              server: mcpServer,
              tools: z.array(z.object({ name: z.string(), description: z.string() })),
            }),
            "Tools",
          ),
          "404": error("No such server"),
        },
      },
    },
  };
}
