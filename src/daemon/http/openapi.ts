import { z } from "zod";
import { sessionEventSchema } from "../../protocol/events.ts";
import { healthStatusSchema, shutdownResponseSchema } from "../../protocol/health.ts";
import {
  approvalAnswerRequestSchema,
  approvalAnswerResponseSchema,
  cancelResponseSchema,
  createSessionRequestSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
  sessionListSchema,
  sessionResponseSchema,
  transcriptSchema,
} from "../../protocol/sessions.ts";
import { operationsPaths } from "./openapi-operations.ts";

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const schema = (type: z.ZodType, io: "input" | "output" = "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
};
const json = (type: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: schema(type) } },
});
const error = (description: string) => json(errorSchema, description);
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the daemon
 * validates with and the CLI parses with, so it cannot drift from the code.
 */
export function buildOpenApiDocument(options: { version: string }) {
  return {
    openapi: "3.1.0",
    info: {
      title: "netclawd API",
      version: options.version,
      description:
        "Loopback API of the netclaw daemon. Authentication: a loopback caller in `local` exposure mode, else `Authorization: Bearer <device token>`.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { SessionEvent: schema(sessionEventSchema), Error: schema(errorSchema) },
    },
    security: [{}, { bearer: [] }],
    paths: {
      "/api/health/ready": {
        get: {
          summary: "Readiness (anonymous)",
          security: [],
          responses: {
            "200": { description: "`healthy`", content: { "text/plain": { schema: { type: "string" } } } },
            "503": error("Starting or shutting down"),
          },
        },
      },
      "/api/health/status": {
        get: { summary: "Daemon status", responses: { "200": json(healthStatusSchema, "Status document") } },
      },
      "/api/lifecycle/shutdown": {
        post: {
          summary: "Drain and stop the daemon",
          parameters: [{ name: "reason", in: "query", required: true, schema: { type: "string" } }],
          responses: { "202": json(shutdownResponseSchema, "Shutdown accepted"), "400": error("No reason") },
        },
      },
      "/api/sessions": {
        post: {
          summary: "Create a session, or get the one with this name",
          requestBody: {
            content: { "application/json": { schema: schema(createSessionRequestSchema, "input") } },
          },
          responses: {
            "201": json(sessionResponseSchema, "Created"),
            "200": json(sessionResponseSchema, "Existing session of that name"),
            "400": error("Invalid body"),
          },
        },
        get: {
          summary: "Recent sessions, newest activity first",
          responses: { "200": json(sessionListSchema, "Sessions") },
        },
      },
      "/api/sessions/{id}": {
        get: {
          summary: "Stored transcript (pages of up to 1000 events)",
          parameters: [
            idParam,
            { name: "after", in: "query", schema: { type: "integer", minimum: 0 } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
          ],
          responses: { "200": json(transcriptSchema, "Transcript"), "404": error("Unknown session") },
        },
      },
      "/api/sessions/{id}/messages": {
        post: {
          summary: "Send a message (starts a turn, or joins the next one while a turn runs)",
          parameters: [
            idParam,
            { name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: 200 } },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(sendMessageRequestSchema, "input") } },
          },
          responses: {
            "202": json(sendMessageResponseSchema, "Stored"),
            "200": json(sendMessageResponseSchema, "Duplicate Idempotency-Key: the original message"),
            "400": error("Invalid body or key"),
            "404": error("Unknown session"),
            "503": error("Shutting down"),
          },
        },
      },
      "/api/sessions/{id}/events": {
        get: {
          summary: "Live event stream (SSE). `id:` = event id, `event:` = type, `data:` = the event JSON",
          parameters: [
            idParam,
            { name: "Last-Event-ID", in: "header", schema: { type: "integer", minimum: 0 } },
            { name: "after", in: "query", schema: { type: "integer", minimum: 0 } },
          ],
          responses: {
            "200": {
              description: "text/event-stream of SessionEvent; `: heartbeat` comments keep it open",
              content: { "text/event-stream": { schema: { $ref: "#/components/schemas/SessionEvent" } } },
            },
            "404": error("Unknown session"),
          },
        },
      },
      "/api/sessions/{id}/cancel": {
        post: {
          summary: "Cancel the running turn",
          parameters: [idParam],
          responses: {
            "200": json(cancelResponseSchema, "Whether a turn was cancelled"),
            "404": error("Unknown session"),
          },
        },
      },
      "/api/sessions/{id}/approvals/{callId}": {
        post: {
          summary: "Answer a tool approval (requester only; one of the offered options)",
          parameters: [idParam, { name: "callId", in: "path", required: true, schema: { type: "string" } }],
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(approvalAnswerRequestSchema, "input") } },
          },
          responses: {
            "200": json(approvalAnswerResponseSchema, "The waiting call got the answer"),
            "400": error("Invalid body, or an option this call was not offered"),
            "403": error("Not the requester of this turn"),
            "404": error("Unknown session, or no approval pending for this call"),
          },
        },
      },
      ...operationsPaths({
        json,
        error,
        body: (type) => ({
          required: true,
          content: { "application/json": { schema: schema(type, "input") } },
        }),
      }),
    },
  };
}
