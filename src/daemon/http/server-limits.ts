import type { FastifyInstance, FastifyServerOptions } from "fastify";

/** Daemon.HeadersTimeoutSeconds, RequestTimeoutSeconds and MaxConnections, in milliseconds. */
export type ServerLimits = {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  /** Told once per refused burst (at most once a minute): a connection was closed at the cap. */
  onConnectionRefused?: (connections: number) => void;
};

/** Idle keep-alive connections are closed after this long, freeing their slot under the cap. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * node's own limits on the HTTP server: `headersTimeout` (answered 408 and closed) and
 * `requestTimeout` cover a client that sends its headers or body slowly; both stop once the
 * request has arrived, so a long response — an event stream — is never cut. node checks them
 * every `connectionsCheckingInterval`; a second keeps the check cheap and the cut prompt.
 */
export function serverOptions(limits: ServerLimits): Partial<FastifyServerOptions> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkInterval(limits),
    },
  } as Partial<FastifyServerOptions>;
}

/**
 * What node leaves open: a connection that never sends a byte is not covered by
 * `headersTimeout` (it starts with the first byte), so every new socket gets an idle timer of
 * the headers timeout, cleared when its first request arrives (node then manages keep-alive).
 * `maxConnections` makes node close sockets past the cap as soon as they are accepted, while the
 * open ones keep working.
 */
export function applyServerLimits(app: FastifyInstance, limits: ServerLimits): void {
  const server = app.server;
  server.maxConnections = limits.maxConnections;
  // The margin lets node's own header check (every CHECK_INTERVAL) answer 408 first when some
  // bytes did arrive; either way the connection goes.
  const idleMs = limits.headersTimeoutMs + checkInterval(limits) + 1_000;
  server.on("connection", (socket) => socket.setTimeout(idleMs));
  app.addHook("onRequest", async (request) => {
    request.raw.socket.setTimeout(0);
  });
  let lastReport = 0;
  server.on("drop", () => {
    const now = Date.now();
    if (now - lastReport < 60_000) return;
    lastReport = now;
    limits.onConnectionRefused?.(limits.maxConnections);
  });
}

function checkInterval(limits: ServerLimits): number {
  return Math.min(1_000, limits.headersTimeoutMs);
}
