import { pipeline, Transform } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MAX_BODY_BYTES_LIMIT, type WebhookRoute } from "../../../config/webhook-routes.ts";
import { NetclawError } from "../../../protocol/errors.ts";
import { createFixedWindowLimiter, type FixedWindowLimiter } from "../../pairing/rate-limit.ts";
import { createDeliveryDedup, type DeliveryDedup } from "./delivery-dedup.ts";
import { buildWebhookPrompt } from "./prompt.ts";
import type { RouteRegistry } from "./route-registry.ts";
import { verifyDelivery } from "./verify-signature.ts";

export type WebhookAudience = WebhookRoute["Audience"];

/** What the session engine is asked to do for one accepted delivery. */
export type WebhookSessionRequest = {
  /** `webhook/<route>/<deliveryId>`: a fresh session per delivery. */
  sessionKey: string;
  /** The route's prompt, its notify instructions and the payload, fenced as untrusted data. */
  prompt: string;
  audience: WebhookAudience;
  channel: "webhook";
  /** `Webhooks.ExecutionTimeoutSeconds`, in ms: the run's wall-clock limit. */
  timeoutMs: number;
  webhook: { route: string; eventType: string | null; deliveryId: string; payload: unknown };
};

/**
 * Starts (not awaits) an unattended session; resolves once it exists. Rejects with NetclawError
 * 413 `context_window_exceeded` when the prompt can never fit the model (the session records the
 * refused turn). Implemented by the engine.
 */
export type SessionStarter = (request: WebhookSessionRequest) => Promise<{ sessionId: string }>;

export type WebhookLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

export type WebhookRoutesOptions = {
  /** `Webhooks.Enabled`; a function so a config reload can switch it. */
  enabled: () => boolean;
  registry: RouteRegistry;
  startSession: SessionStarter;
  now: () => number;
  /** Delivery id when the sender gave none. */
  newId: () => string;
  logger: WebhookLogger;
  executionTimeoutSeconds?: number;
  dedup?: DeliveryDedup;
};

const routeOf = new WeakMap<FastifyRequest, { name: string; route: WebhookRoute }>();

function notFound(): NetclawError {
  // Same answer for a disabled feature, an unknown route and a disabled route: nothing to probe.
  return new NetclawError("not_found", "No such webhook route.", { status: 404 });
}

function tooLarge(max: number): NetclawError {
  return new NetclawError(
    "payload_too_large",
    `The webhook body is larger than this route accepts (${max} bytes).`,
    { status: 413 },
  );
}

/** Counts body bytes as they stream in and fails with 413 past `max`, before anything is parsed. */
function capBody(payload: NodeJS.ReadableStream, max: number): Transform {
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(tooLarge(max));
      else callback(null, chunk);
    },
  });
  pipeline(payload, cap, () => {});
  return cap;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed.slice(0, 200) : undefined;
}

function rateLimiters(now: () => number) {
  const limiters = new Map<string, { limit: number; limiter: FixedWindowLimiter }>();
  return (name: string, limit: number) => {
    let entry = limiters.get(name);
    if (!entry || entry.limit !== limit) {
      entry = { limit, limiter: createFixedWindowLimiter({ limit, windowMs: 60_000, now, maxKeys: 1 }) };
      limiters.set(name, entry);
    }
    return entry.limiter.hit(name);
  };
}

/**
 * Route registrar for `POST /api/webhooks/:route` (reference/core.md §3). Anonymous, verified per
 * route, answered in this order: 404 feature off / unknown / disabled route → 413 body over
 * `MaxBodyBytes` (checked on the raw stream) → 400 invalid JSON → 401 bad signature → 202 ignored
 * (`event_filtered`, `duplicate_delivery`) → 429 over `RateLimitPerMinute` → 202 accepted with the
 * new session's id. The session starter is called only on the last path.
 */
export function createWebhookRoutes(options: WebhookRoutesOptions): (app: FastifyInstance) => void {
  const dedup = options.dedup ?? createDeliveryDedup({ now: options.now });
  const hit = rateLimiters(options.now);
  const timeoutMs = (options.executionTimeoutSeconds ?? 300) * 1000;

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const found = routeOf.get(request);
    if (!found) throw notFound();
    const { name, route } = found;
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (raw.length > route.MaxBodyBytes) throw tooLarge(route.MaxBodyBytes);
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new NetclawError("invalid_json", "The webhook body is not valid JSON.", { status: 400 });
    }
    const v = route.Verification;
    const verdict = verifyDelivery({
      verification: v,
      headers: request.headers,
      rawBody: raw,
      nowMs: options.now(),
    });
    if (!verdict.ok) {
      options.logger.warn({ route: name, reason: verdict.reason }, "Webhook delivery refused");
      throw new NetclawError("invalid_signature", "The webhook signature or secret is not valid.", {
        status: 401,
      });
    }
    const eventType = header(request, v.EventHeader) ?? null;
    const givenId = header(request, v.DeliveryHeader);
    const deliveryId = givenId ?? options.newId();
    // Without a delivery id, a timestamped signature is itself unique: remembering it closes
    // replays inside the tolerance window (older ones already fail the timestamp check).
    const replayKey =
      givenId ??
      (v.Kind === "HmacTimestamped"
        ? `sig:${header(request, v.SignatureHeader)?.toLowerCase().replace(v.SignaturePrefix.toLowerCase(), "")}`
        : undefined);
    const ignored = (reason: string) => {
      options.logger.info({ route: name, eventType, deliveryId, reason }, "Webhook delivery ignored");
      return reply.code(202).send({ status: "ignored", reason, route: name, eventType, deliveryId });
    };
    if (route.Events.length > 0 && (eventType === null || !route.Events.includes(eventType))) {
      return ignored("event_filtered");
    }
    if (replayKey !== undefined && dedup.seen(name, replayKey)) return ignored("duplicate_delivery");
    const limit = hit(name, route.RateLimitPerMinute);
    if (!limit.allowed) {
      options.logger.warn({ route: name, deliveryId }, "Webhook delivery rate-limited");
      reply.header("Retry-After", String(limit.retryAfterSeconds));
      throw new NetclawError(
        "rate_limited",
        `Too many deliveries for this route; retry in ${limit.retryAfterSeconds} s.`,
        { status: 429, isRetryable: true },
      );
    }
    // Reserved before the await, so a concurrent copy of this delivery is seen as a duplicate.
    if (replayKey !== undefined) dedup.record(name, replayKey);
    let sessionId: string;
    try {
      ({ sessionId } = await options.startSession({
        sessionKey: `webhook/${name}/${deliveryId}`,
        prompt: buildWebhookPrompt({ name, route, eventType, deliveryId, payload }),
        audience: route.Audience,
        channel: "webhook",
        timeoutMs,
        webhook: { route: name, eventType, deliveryId, payload },
      }));
    } catch (error) {
      if (replayKey !== undefined) dedup.forget(name, replayKey);
      // The session exists and recorded the refusal; the sender learns why, with the numbers.
      if (error instanceof NetclawError && error.code === "context_window_exceeded") {
        options.logger.warn({ route: name, deliveryId, err: error.message }, "Webhook delivery too large");
        throw error;
      }
      options.logger.error(
        { route: name, deliveryId, err: (error as Error).message },
        "Webhook session start failed",
      );
      throw new NetclawError("session_start_failed", "The daemon could not start a session; retry later.", {
        status: 503,
        isRetryable: true,
      });
    }
    options.logger.info({ route: name, eventType, deliveryId, sessionId }, "Webhook delivery accepted");
    return reply.code(202).send({ status: "accepted", route: name, eventType, deliveryId, sessionId });
  };

  return (app) => {
    app.register(async (scope) => {
      // Raw bytes for every content type: signatures are over the exact body, parsed only later.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        "*",
        { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES_LIMIT },
        (_r, body, done) => done(null, body),
      );
      scope.post<{ Params: { route: string } }>("/api/webhooks/:route", {
        config: { anonymous: true },
        bodyLimit: MAX_BODY_BYTES_LIMIT,
        preParsing: async (request, _reply, payload) => {
          const name = (request.params as { route: string }).route;
          const route = options.enabled() ? options.registry.get(name) : undefined;
          if (!route) throw notFound();
          const declared = Number(request.headers["content-length"]);
          if (declared > route.MaxBodyBytes) throw tooLarge(route.MaxBodyBytes);
          routeOf.set(request, { name, route });
          // Senders that omit Content-Type (or send it empty) still get their raw body read.
          if (!request.headers["content-type"]?.trim())
            request.headers["content-type"] = "application/octet-stream";
          return capBody(payload, route.MaxBodyBytes);
        },
        handler: handle,
      });
    });
  };
}
