import type { FastifyReply, FastifyRequest } from "fastify";
import { errorBody, NetclawError } from "../../../protocol/errors.ts";
import { INVALID_BODY_MESSAGE } from "../../../protocol/pairing.ts";
import type { FixedWindowLimiter } from "../../pairing/rate-limit.ts";
import { clientAddressOf, sendError } from "../app.ts";
import { rateLimitKey } from "../client-address.ts";

/** Answers 429 with `Retry-After` (whole seconds) and the given message. */
export function tooManyRequests(
  reply: FastifyReply,
  options: { retryAfterSeconds: number; code: string; message: string },
): FastifyReply {
  return reply
    .code(429)
    .header("Retry-After", String(options.retryAfterSeconds))
    .send(errorBody(options.code, options.message));
}

/** The limiter key of a request: its real client address (client-address.ts), IPv6 by /64. */
export function limitKeyOf(request: FastifyRequest): string {
  return rateLimitKey(clientAddressOf(request));
}

/**
 * A route-level `onRequest` hook counting one request per client (see `limitKeyOf`: the socket
 * peer, or the client a trusted proxy or tunnel reports) before the body is read.
 */
export function rateLimitHook(limiter: FixedWindowLimiter, message: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = limiter.hit(limitKeyOf(request));
    if (!decision.allowed) {
      return tooManyRequests(reply, {
        retryAfterSeconds: decision.retryAfterSeconds,
        code: "rate_limited",
        message,
      });
    }
    return undefined;
  };
}

/**
 * Route-level error handler of the anonymous pairing endpoints: a body that is not a JSON object
 * (bad syntax, empty, wrong content type) is 400 `The request body is invalid.`; a body over the
 * route's limit stays 413; everything else goes to the app's renderer.
 */
export function pairingBodyErrors(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const status = (error as { statusCode?: number }).statusCode;
  const code = (error as { code?: string }).code ?? "";
  if (!(error instanceof NetclawError) && code.startsWith("FST_ERR_CTP_") && status !== 413) {
    sendError(invalidBody(), request, reply);
    return;
  }
  sendError(error, request, reply);
}

export function invalidBody(): NetclawError {
  return new NetclawError("invalid_body", INVALID_BODY_MESSAGE, { status: 400 });
}
