import { z } from "zod";
import { mcpServersResponseSchema, mcpToolsResponseSchema } from "../../protocol/mcp.ts";
import {
  createReminderRequestSchema,
  importRequestSchema,
  importResponseSchema,
  reminderSchema,
  reminderStateSchema,
  runRecordSchema,
  validateResponseSchema,
} from "../../protocol/reminders.ts";
import { body, error, json, type OpenApiObject, pathParam } from "./openapi-schema.ts";

const id = pathParam("id", "The reminder id (kebab-case)");
const view = reminderSchema.and(z.object({ state: reminderStateSchema.extend({ active: z.boolean() }) }));
const one = z.object({ reminder: view, created: z.boolean().optional() });
const notFound = error("Unknown reminder, or not visible to the caller");
const badId = error("Not a reminder id");

function action(operationId: string, summary: string): OpenApiObject {
  return {
    post: {
      operationId,
      summary,
      parameters: [id],
      responses: { "200": json(one, "The reminder"), "400": badId, "404": notFound },
    },
  };
}

/** The reminder paths (reference/core.md §3), from the protocol schemas the routes validate with. */
export function reminderPaths(): Record<string, OpenApiObject> {
  return {
    "/api/reminders": {
      get: {
        operationId: "listReminders",
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
        operationId: "setReminder",
        summary: "Create or update a reminder",
        requestBody: body(createReminderRequestSchema),
        responses: {
          "200": json(one, "Updated"),
          "201": json(one, "Created"),
          "400": error("Invalid reminder"),
          "409": error("`writeMode: create` and the id exists"),
        },
      },
    },
    "/api/reminders/validate": {
      post: {
        operationId: "validateReminders",
        summary: "Check reminder documents without saving",
        requestBody: body(importRequestSchema),
        responses: {
          "200": json(validateResponseSchema, "Per-document results"),
          "400": error("Not a list of 1–1000 documents"),
        },
      },
    },
    "/api/reminders/import": {
      post: {
        operationId: "importReminders",
        summary: "Save reminder documents (all or nothing)",
        requestBody: body(importRequestSchema),
        responses: { "200": json(importResponseSchema, "Imported ids"), "400": error("Invalid documents") },
      },
    },
    "/api/reminders/{id}": {
      get: {
        operationId: "getReminder",
        summary: "One reminder with its state",
        parameters: [id],
        responses: { "200": json(one, "The reminder"), "400": badId, "404": notFound },
      },
      delete: {
        operationId: "deleteReminder",
        summary: "Delete a reminder, its state and history",
        parameters: [id],
        responses: { "204": { description: "Deleted" }, "400": badId, "404": notFound },
      },
    },
    "/api/reminders/{id}/enable": action("enableReminder", "Turn a reminder on (scheduled from now)"),
    "/api/reminders/{id}/disable": action("disableReminder", "Stop a reminder firing"),
    "/api/reminders/{id}/cancel": action("cancelReminder", "Cancel a reminder (disabled, history kept)"),
    "/api/reminders/{id}/run": {
      post: {
        operationId: "runReminder",
        summary: "Run a reminder now",
        parameters: [id],
        responses: {
          "202": json(z.object({ runId: z.string() }), "Started"),
          "400": badId,
          "404": notFound,
          "409": error("Already running"),
        },
      },
    },
    "/api/reminders/{id}/history": {
      get: {
        operationId: "getReminderHistory",
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
          "400": error("Not a reminder id, or `last` out of range"),
          "404": notFound,
        },
      },
    },
  };
}

/** The MCP server paths (`netclaw mcp tools`, `status`). */
export function mcpPaths(): Record<string, OpenApiObject> {
  return {
    "/api/mcp/servers": {
      get: {
        operationId: "listMcpServers",
        summary: "Configured MCP servers and their state",
        responses: { "200": json(mcpServersResponseSchema, "Servers") },
      },
    },
    "/api/mcp/servers/{name}/tools": {
      get: {
        operationId: "listMcpServerTools",
        summary: "The tools the daemon got from one MCP server (exposed as <server>/<tool>)",
        parameters: [pathParam("name", "The server's name in McpServers (case-insensitive)")],
        responses: {
          "200": json(mcpToolsResponseSchema, "Tools, each with every audience's access"),
          "404": error("No such server"),
        },
      },
    },
  };
}
