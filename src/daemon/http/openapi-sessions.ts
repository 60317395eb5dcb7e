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
import { body, error, json, type OpenApiObject, pathParam } from "./openapi-schema.ts";

const sessionId = pathParam("id", "The session id");
const unknownSession = error("Unknown session");
const eventId = { type: "integer", minimum: 0 };

/** Health, lifecycle, the OpenAPI document itself and the sessions API (ARCHITECTURE.md §6). */
export function sessionPaths(): Record<string, OpenApiObject> {
  return {
    "/api/health/ready": {
      get: {
        operationId: "getReadiness",
        summary: "Readiness (anonymous)",
        security: [],
        responses: {
          "200": { description: "`healthy`", content: { "text/plain": { schema: { type: "string" } } } },
          "503": error("Starting or shutting down"),
        },
      },
    },
    "/api/health/status": {
      get: {
        operationId: "getStatus",
        summary: "Daemon status",
        responses: { "200": json(healthStatusSchema, "Status document") },
      },
    },
    "/api/lifecycle/shutdown": {
      post: {
        operationId: "shutdownDaemon",
        summary: "Drain and stop the daemon",
        parameters: [{ name: "reason", in: "query", required: true, schema: { type: "string" } }],
        responses: { "202": json(shutdownResponseSchema, "Shutdown accepted"), "400": error("No reason") },
      },
    },
    "/api/openapi.json": {
      get: {
        operationId: "getOpenApiDocument",
        summary: "This document",
        responses: {
          "200": {
            description: "OpenAPI 3.1",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
    "/api/sessions": {
      post: {
        operationId: "createSession",
        summary: "Create a session, or get the one with this name",
        requestBody: { ...body(createSessionRequestSchema), required: false },
        responses: {
          "201": json(sessionResponseSchema, "Created"),
          "200": json(sessionResponseSchema, "Existing session of that name"),
          "400": error("Invalid body"),
        },
      },
      get: {
        operationId: "listSessions",
        summary: "Recent sessions, newest activity first; with `match`, the sessions a reference names",
        parameters: [
          {
            name: "match",
            in: "query",
            description: "A session id, a unique id prefix or a name (as `netclaw chat --resume` takes)",
            schema: { type: "string" },
          },
        ],
        responses: {
          "200": json(sessionListSchema, "Sessions"),
          "400": error("`match` given more than once"),
        },
      },
    },
    "/api/sessions/{id}": {
      get: {
        operationId: "getTranscript",
        summary: "Stored transcript (pages of up to 1000 events)",
        parameters: [
          sessionId,
          { name: "after", in: "query", schema: eventId },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        ],
        responses: {
          "200": json(transcriptSchema, "Transcript"),
          "400": error("`after` or `limit` is not a number"),
          "404": unknownSession,
        },
      },
    },
    "/api/sessions/{id}/messages": {
      post: {
        operationId: "sendMessage",
        summary: "Send a message (starts a turn, or joins the next one while a turn runs)",
        parameters: [
          sessionId,
          { name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: 200 } },
        ],
        requestBody: body(sendMessageRequestSchema),
        responses: {
          "202": json(sendMessageResponseSchema, "Stored"),
          "200": json(sendMessageResponseSchema, "Duplicate Idempotency-Key: the original message"),
          "400": error("Invalid body or key"),
          "404": unknownSession,
          "413": error(
            "Over the body limit, or over the Main model's context window (the numbers are in the message)",
          ),
          "503": error("Shutting down"),
        },
      },
    },
    "/api/sessions/{id}/events": {
      get: {
        operationId: "streamEvents",
        summary: "Live event stream (SSE). `id:` = event id, `event:` = type, `data:` = the event JSON",
        parameters: [
          sessionId,
          { name: "Last-Event-ID", in: "header", schema: eventId },
          { name: "after", in: "query", schema: eventId },
        ],
        responses: {
          "200": {
            description: "text/event-stream of SessionEvent; `: heartbeat` comments keep it open",
            content: { "text/event-stream": { schema: { $ref: "#/components/schemas/SessionEvent" } } },
          },
          "400": error("`Last-Event-ID` or `after` is not an event id"),
          "404": unknownSession,
          "503": error("Too many event streams open (Daemon.MaxEventStreams); retry after `Retry-After`"),
        },
      },
    },
    "/api/sessions/{id}/cancel": {
      post: {
        operationId: "cancelTurn",
        summary: "Cancel the running turn",
        parameters: [sessionId],
        responses: {
          "200": json(cancelResponseSchema, "Whether a turn was cancelled"),
          "404": unknownSession,
        },
      },
    },
    "/api/sessions/{id}/approvals/{callId}": {
      post: {
        operationId: "answerApproval",
        summary: "Answer a tool approval (requester only; one of the offered options)",
        parameters: [sessionId, pathParam("callId", "The tool call waiting for approval")],
        requestBody: body(approvalAnswerRequestSchema),
        responses: {
          "200": json(approvalAnswerResponseSchema, "The waiting call got the answer"),
          "400": error("Invalid body, or an option this call was not offered"),
          "403": error("Not the requester of this turn"),
          "404": error("Unknown session, or no approval pending for this call"),
        },
      },
    },
  };
}
