import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { NetclawError } from "../../../protocol/errors.ts";
import type { ApprovalOption, SessionEvent } from "../../../protocol/events.ts";
import {
  approvalAnswerRequestSchema,
  type approvalAnswerResponseSchema,
  type cancelResponseSchema,
  createSessionRequestSchema,
  sendMessageRequestSchema,
  type sendMessageResponseSchema,
  type sessionListSchema,
  type transcriptSchema,
} from "../../../protocol/sessions.ts";
import type { SessionRegistry } from "../../sessions/session-registry.ts";
import { principalOf } from "../app.ts";
import type { Principal } from "../auth.ts";
import { type StreamGate, streamSse } from "../sse.ts";

export type SessionRoutesOptions = {
  registry: SessionRegistry;
  /** Interval of `: heartbeat` comments on idle event streams. */
  heartbeatMs: number;
  /** Caps concurrent event streams (Daemon.MaxEventStreams); unbounded when not given. */
  streams?: StreamGate;
  /** Answers pending tool approvals; throws NetclawError 404/403/400 (see createSessionTools). */
  approvals?: {
    answer(request: { sessionId: string; callId: string; requester: string; decision: ApprovalOption }): void;
  };
};

/** The key a requester is known by: the local operator, or one paired device. */
export const requesterKey = (principal: Principal): string =>
  principal.kind === "local" ? "local" : `device:${principal.deviceName}`;

const TRANSCRIPT_PAGE = 1000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new NetclawError("invalid_request", `Invalid request body: ${where}${issue?.message ?? "invalid"}.`, {
    status: 400,
  });
}

function integerParam(value: string | undefined, options: { name: string; what: string; code: string }) {
  if (value === undefined || value === "") return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new NetclawError(options.code, `${options.name} must be ${options.what}.`, { status: 400 });
  return Number(value);
}

const eventIdParam = (value: string | undefined, name: string) =>
  integerParam(value, { name, what: "a non-negative integer event id", code: "invalid_event_id" });

// Each event is serialised once, however many clients watch the session.
const frames = new WeakMap<SessionEvent, string>();
const dataOf = (event: SessionEvent): string => {
  let data = frames.get(event);
  if (data === undefined) {
    data = JSON.stringify(event);
    frames.set(event, data);
  }
  return data;
};

/** The sessions API (ARCHITECTURE.md §6); shapes in src/protocol/sessions.ts and events.ts. */
export function sessionRoutes(options: SessionRoutesOptions) {
  const { registry } = options;
  const engineOf = (id: string) => {
    const engine = registry.get(id);
    if (!engine) throw new NetclawError("session_not_found", `No session with id '${id}'.`, { status: 404 });
    return engine;
  };

  return (app: FastifyInstance) => {
    app.post("/api/sessions", async (request, reply) => {
      const body = parseBody(createSessionRequestSchema, request.body);
      const result = registry.create({ name: body.name, channel: body.channel });
      return reply.code(result.created ? 201 : 200).send(result);
    });

    app.get<{ Querystring: { match?: unknown } }>(
      "/api/sessions",
      async (request): Promise<z.infer<typeof sessionListSchema>> => {
        const { match } = request.query;
        if (match !== undefined && typeof match !== "string")
          throw new NetclawError(
            "invalid_match",
            "match must be given once: a session id, id prefix or name.",
            {
              status: 400,
            },
          );
        const ref = match?.trim();
        return { sessions: ref ? registry.find(ref) : registry.list() };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { after?: string; limit?: string } }>(
      "/api/sessions/:id",
      async (request): Promise<z.infer<typeof transcriptSchema>> => {
        const engine = engineOf(request.params.id);
        const after = eventIdParam(request.query.after, "after") ?? 0;
        const limit = Math.min(
          integerParam(request.query.limit, {
            name: "limit",
            what: "a positive integer",
            code: "invalid_limit",
          }) ?? TRANSCRIPT_PAGE,
          TRANSCRIPT_PAGE,
        );
        return { session: engine.summary(), events: engine.transcript({ after, limit: Math.max(1, limit) }) };
      },
    );

    app.post<{ Params: { id: string } }>("/api/sessions/:id/messages", async (request, reply) => {
      const engine = engineOf(request.params.id);
      const body = parseBody(sendMessageRequestSchema, request.body);
      const header = request.headers["idempotency-key"];
      const key = Array.isArray(header) ? header[0] : header;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
        throw new NetclawError(
          "invalid_idempotency_key",
          "Idempotency-Key must be 1-200 visible ASCII characters.",
          { status: 400 },
        );
      // refused before it is stored: a message larger than the model's window could never be answered
      await engine.admit(body.text);
      const result: z.infer<typeof sendMessageResponseSchema> = engine.send({
        text: body.text,
        ...(key === undefined ? {} : { idempotencyKey: key }),
        requester: requesterKey(principalOf(request)),
      });
      return reply.code(result.duplicate ? 200 : 202).send(result);
    });

    app.post<{ Params: { id: string } }>(
      "/api/sessions/:id/cancel",
      async (request): Promise<z.infer<typeof cancelResponseSchema>> => ({
        cancelled: engineOf(request.params.id).cancel(),
      }),
    );

    app.post<{ Params: { id: string; callId: string } }>(
      "/api/sessions/:id/approvals/:callId",
      async (request): Promise<z.infer<typeof approvalAnswerResponseSchema>> => {
        engineOf(request.params.id); // loads it: a restart's pending approvals are announced again
        const body = parseBody(approvalAnswerRequestSchema, request.body);
        if (!options.approvals)
          throw new NetclawError("approval_not_found", "No approval is pending for this call.", {
            status: 404,
          });
        options.approvals.answer({
          sessionId: request.params.id,
          callId: request.params.callId,
          requester: requesterKey(principalOf(request)),
          decision: body.decision,
        });
        return { accepted: true };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
      "/api/sessions/:id/events",
      async (request, reply) => {
        const engine = engineOf(request.params.id);
        const header = request.headers["last-event-id"];
        const after =
          eventIdParam(Array.isArray(header) ? header[0] : header, "Last-Event-ID") ??
          eventIdParam(request.query.after, "after");
        const leave = options.streams ? options.streams.enter() : () => {};
        if (leave === undefined) {
          reply.header("Retry-After", "5");
          throw new NetclawError(
            "too_many_streams",
            "Too many event streams are open on this daemon. Close one (another `netclaw chat`, a forgotten curl), or raise Daemon.MaxEventStreams.",
            { status: 503, isRetryable: true },
          );
        }
        // The slot frees when the client goes, even if the source is slow to notice.
        reply.raw.once("close", leave);
        try {
          await streamSse({
            reply,
            source: engine.subscribe(after),
            toMessage: (event) => ({ id: event.id, event: event.type, data: dataOf(event) }),
            heartbeatMs: options.heartbeatMs,
          });
        } finally {
          leave();
        }
      },
    );
  };
}
