import { z } from "zod";

/**
 * The session event stream (`GET /api/sessions/:id/events`, SSE) and the stored transcript share
 * these shapes. Every event has a per-session, strictly increasing numeric `id` (also the SSE
 * `id:` field) so a client that reconnects with `Last-Event-ID` resumes exactly after the last
 * event it received. `responseId` ties the deltas of one model response to the `text` /
 * `thinking` event that completes it: a client that already printed part of a response from
 * deltas prints only the remainder of the completing event, so nothing is lost or repeated.
 */
const base = {
  id: z.number().int().nonnegative(),
  sessionId: z.string(),
  at: z.string(),
};

export const approvalOptionSchema = z.enum([
  "approve_once",
  "approve_session",
  "approve_always",
  "approve_repository",
  "approve_everywhere",
  "deny",
]);

export const sessionEventSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("user_message"), messageId: z.string(), text: z.string() }),
  z.object({
    ...base,
    type: z.literal("turn_started"),
    turnNumber: z.number().int(),
    messageIds: z.array(z.string()),
  }),
  z.object({ ...base, type: z.literal("text_delta"), responseId: z.string(), text: z.string() }),
  z.object({
    ...base,
    type: z.literal("text"),
    responseId: z.string(),
    text: z.string(),
    /** Set when the response did not finish: cancelled, failed mid-stream, or interrupted by a restart. */
    partial: z.enum(["cancelled", "failed", "interrupted"]).optional(),
  }),
  z.object({ ...base, type: z.literal("thinking_delta"), responseId: z.string(), text: z.string() }),
  z.object({ ...base, type: z.literal("thinking"), responseId: z.string(), text: z.string() }),
  z.object({
    ...base,
    type: z.literal("tool_call"),
    responseId: z.string(),
    callId: z.string(),
    toolName: z.string(),
    argumentsJson: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("tool_result"),
    callId: z.string(),
    toolName: z.string(),
    result: z.string(),
    isError: z.boolean(),
    /**
     * Set when policy refused the call, to the decision's reason: `approval_required_unattended`
     * (nobody could approve), `approval_declined`, `hard_deny`, `protected_path`, …
     */
    denied: z.string().optional(),
  }),
  z.object({
    ...base,
    /** A file the agent handed to the user (attach_file); the path is on the daemon's host. */
    type: z.literal("attachment"),
    callId: z.string(),
    path: z.string(),
    displayName: z.string(),
    sizeBytes: z.number().int().nonnegative(),
  }),
  z.object({
    ...base,
    type: z.literal("approval_requested"),
    callId: z.string(),
    toolName: z.string(),
    argumentsJson: z.string(),
    summary: z.string(),
    options: z.array(approvalOptionSchema),
  }),
  z.object({
    ...base,
    type: z.literal("approval_resolved"),
    callId: z.string(),
    decision: approvalOptionSchema,
  }),
  z.object({
    ...base,
    type: z.literal("usage"),
    inputTokens: z.number(),
    outputTokens: z.number(),
    totalTokens: z.number(),
    contextWindowTokens: z.number(),
    usagePercent: z.number(),
    provider: z.string(),
    modelId: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal("turn_completed"),
    turnNumber: z.number().int(),
    status: z.enum(["completed", "cancelled", "failed", "interrupted"]),
  }),
  z.object({ ...base, type: z.literal("session_title"), title: z.string() }),
  z.object({
    ...base,
    type: z.literal("compaction"),
    messagesBefore: z.number().int(),
    messagesAfter: z.number().int(),
    toolResultsCleared: z.number().int(),
    summary: z.string().optional(),
    /** History before this event id was replaced by `summary` (the oldest kept message's event). */
    keptFromEventId: z.number().int().optional(),
    /** Tool results stored before this event id were replaced by a placeholder. */
    toolResultsClearedBeforeEventId: z.number().int().optional(),
  }),
  z.object({
    ...base,
    type: z.literal("error"),
    code: z.string(),
    errorMessage: z.string(),
    errorDetail: z.string().optional(),
  }),
]);

export type SessionEvent = z.infer<typeof sessionEventSchema>;
export type SessionEventType = SessionEvent["type"];
export type ApprovalOption = z.infer<typeof approvalOptionSchema>;

/** Event types kept in memory only (replayable from the live buffer, never stored). */
export const VOLATILE_EVENT_TYPES: ReadonlySet<SessionEventType> = new Set(["text_delta", "thinking_delta"]);
