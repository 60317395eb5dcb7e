import { z } from "zod";
import { approvalOptionSchema, sessionEventSchema } from "./events.ts";

/** Where a session's input comes from; decides its audience (CLI chat and headless are Personal). */
export const channelSchema = z.enum(["chat", "headless", "reminder", "webhook"]);

export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  /** The name given with `netclaw chat --resume <name>`, if any. */
  name: z.string().nullable(),
  title: z.string().nullable(),
  channel: channelSchema,
  status: z.enum(["idle", "processing", "compacting"]),
  turnCount: z.number().int(),
  createdAt: z.string(),
  lastActivity: z.string(),
});

/** `POST /api/sessions`: with `name`, returns the existing session of that name (200) or creates it (201). */
export const createSessionRequestSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  channel: channelSchema.default("chat"),
});
export const sessionResponseSchema = z.object({ session: sessionSummarySchema, created: z.boolean() });

/**
 * `GET /api/sessions` (newest activity first, at most 50). With `?match=<ref>`: only the sessions
 * `ref` may mean — the one with that id, the one with that name, and those whose id starts with
 * it (at most 20). Clients resolve `--resume <ref>` from that list (see the CLI's session-ref).
 */
export const sessionListSchema = z.object({ sessions: z.array(sessionSummarySchema) });

/** `GET /api/sessions/:id`: the stored transcript. `?after=<eventId>` pages forward. */
export const transcriptSchema = z.object({
  session: sessionSummarySchema,
  events: z.array(sessionEventSchema),
});

/** `POST /api/sessions/:id/messages` with an optional `Idempotency-Key` header. */
export const sendMessageRequestSchema = z.object({ text: z.string().min(1).max(1_000_000) });
export const sendMessageResponseSchema = z.object({
  messageId: z.string(),
  eventId: z.number().int(),
  /** True when a turn was already running: the message joins the next turn. */
  queued: z.boolean(),
  /** True when this Idempotency-Key was seen before: nothing new was stored. */
  duplicate: z.boolean(),
});

/**
 * `POST /api/sessions/:id/approvals/:callId`: the answer to an `approval_requested` event, one of
 * the options it offered. Only the requester (the principal that sent the turn's message) may answer.
 */
export const approvalAnswerRequestSchema = z.object({ decision: approvalOptionSchema });
export const approvalAnswerResponseSchema = z.object({ accepted: z.boolean() });

/** `POST /api/sessions/:id/cancel`. */
export const cancelResponseSchema = z.object({ cancelled: z.boolean() });

export type SessionSummary = z.infer<typeof sessionSummarySchema>;
export type Channel = z.infer<typeof channelSchema>;
