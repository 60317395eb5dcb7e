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
import type { createHostGuard } from "./host-guard.ts";

/** Route config flag: `{ config: { anonymous: true } }` skips authentication (health, pairing, webhooks). */
export type RouteAuthConfig = { anonymous?: boolean };

export type AppOptions = {
  logger: Logger;
  hostGuard: ReturnType<typeof createHostGuard>;
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
};

const principals = new WeakMap<FastifyRequest, Principal>();

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
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
  });

  app.addHook("onRequest", async (request) => {
    const verdict = options.hostGuard(request.headers as Record<string, string | undefined>);
    if (!verdict.ok) throw new NetclawError(verdict.code, verdict.message, { status: 403 });
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
