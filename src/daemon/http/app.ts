import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { errorBody, NetclawError } from "../../protocol/errors.ts";
import type { createAuthenticator, Principal } from "./auth.ts";
import type { ClientRequest } from "./client-address.ts";
import type { HostGuard } from "./host-guard.ts";
import type { createIdentityGuard } from "./identity-guard.ts";
import { applyServerLimits, type ServerLimits, serverOptions } from "./server-limits.ts";

/** Route config flag: `{ config: { anonymous: true } }` skips authentication (health, pairing, webhooks). */
export type RouteAuthConfig = { anonymous?: boolean };

export type AppOptions = {
  logger: Logger;
  hostGuard: HostGuard;
  /** Refuses requests meant for another home's daemon (before auth, so nothing runs for them). */
  identityGuard?: ReturnType<typeof createIdentityGuard>;
  authenticate: ReturnType<typeof createAuthenticator>;
  /** fastify `trustProxy`: false except in reverse-proxy mode. */
  trustProxy: boolean | ((address: string, hop: number) => boolean);
  routes: ReadonlyArray<(app: FastifyInstance) => void>;
  /**
   * Applied to every text/JSON response body before it is sent (known secret values, URL
   * credentials): errors and status texts quote what failed, and that may hold a credential.
   * Server-Sent Events are written past this hook; their events are redacted where they are made.
   */
  scrubResponse?: (text: string) => string;
  /** Who a request really comes from (client-address.ts); the socket peer when not given. */
  clientAddress?: (request: ClientRequest) => string;
  /** Timeouts and connection caps; node's defaults when not given (in-process tests). */
  limits?: ServerLimits;
};

/** The request body limit of every route that sets none (the sessions API's messages included). */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

const principals = new WeakMap<FastifyRequest, Principal>();
const clientAddresses = new WeakMap<FastifyRequest, string>();

/** The real client address of a request (the rate-limit key); see createClientAddress. */
export function clientAddressOf(request: FastifyRequest): string {
  return clientAddresses.get(request) ?? request.ip;
}

/** The authenticated caller of a non-anonymous route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new NetclawError("unauthorized", "Authentication required.", { status: 401 });
  return principal;
}

/**
 * The HTTP app: guard and authenticate every request, then route. Everything an error handler
 * sends is JSON `{error:{code,message}}`; stack traces never leave the process.
 */
export function createApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request log lines would cost every request; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    bodyLimit: DEFAULT_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
    ...(options.limits ? serverOptions(options.limits) : {}),
  });
  if (options.limits) applyServerLimits(app, options.limits);

  app.addHook("onRequest", async (request, reply) => {
    options.identityGuard?.echo(request, reply);
    const rawHeaders = request.raw.rawHeaders;
    clientAddresses.set(
      request,
      options.clientAddress?.({ socketAddress: request.socket.remoteAddress, ip: request.ip, rawHeaders }) ??
        request.ip,
    );
    const verdict = options.hostGuard(rawHeaders);
    if (!verdict.ok) throw new NetclawError(verdict.code, verdict.message, { status: 403 });
    options.identityGuard?.refuse(request);
    if ((request.routeOptions.config as RouteAuthConfig | undefined)?.anonymous) return;
    const result = options.authenticate({
      headers: request.headers,
      socketAddress: request.socket.remoteAddress,
    });
    if (!result.ok) throw new NetclawError("unauthorized", result.message, { status: 401 });
    principals.set(request, result.principal);
  });

  const scrub = options.scrubResponse;
  if (scrub) {
    app.addHook("onSend", async (_request, _reply, payload) =>
      typeof payload === "string" ? scrub(payload) : payload,
    );
  }

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody("not_found", `No route for ${request.method} ${request.url.split("?")[0]}.`));
  });

  app.setErrorHandler(sendError);

  for (const register of options.routes) register(app);
  return app;
}

/**
 * The one error renderer: NetclawError → its status and `{error:{code,message}}`; fastify's own
 * 4xx (body too large, bad JSON, …) keep their status; anything else is a logged 500 with no
 * details. Route-level error handlers translate first and then call this.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof NetclawError) {
    if (error.status >= 500) request.log.error({ err: error }, "request failed");
    if (error.status === 401) reply.header("WWW-Authenticate", 'Bearer realm="netclaw"');
    reply.code(error.status).send(errorBody(error.code, error.message));
    return;
  }
  const fastifyError = error as { statusCode?: number; code?: string; message: string; validation?: unknown };
  const status = fastifyError.statusCode ?? 500;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    reply.code(413).send(errorBody("body_too_large", bodyTooLargeMessage(request)));
    return;
  }
  if (status < 500) {
    const code = fastifyError.validation
      ? "invalid_request"
      : (fastifyError.code ?? "bad_request").toLowerCase();
    reply.code(status).send(errorBody(code, fastifyError.message));
    return;
  }
  request.log.error({ err: error }, "unhandled error");
  reply
    .code(500)
    .send(errorBody("internal_error", "The daemon hit an internal error; details are in its log."));
}

/** Fastify's "Request body is too large" says neither the limit nor what to do; this does. */
function bodyTooLargeMessage(request: FastifyRequest): string {
  const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES;
  const received = Number(request.headers["content-length"]);
  const size = Number.isFinite(received) && received > 0 ? ` (${received} bytes)` : "";
  return `The request body${size} is over this endpoint's limit of ${limit} bytes (${formatBytes(limit)}); send less, e.g. split a long message into several.`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
