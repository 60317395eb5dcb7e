import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { buildOpenApiDocument } from "../openapi.ts";

/** `http://<host>:<port>` of a listening socket; a wildcard bind is reached through loopback. */
export function listeningUrl(address: AddressInfo): string {
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const host = wildcard ? (address.family === "IPv6" ? "::1" : "127.0.0.1") : address.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

/**
 * `GET /api/openapi.json`: built on the first request — the daemon's own URL (`servers`) is
 * known only once it listens (the port may be ephemeral) — then served as is.
 */
export function openApiRoutes(options: { version: string }) {
  let document: string | undefined;
  return (app: FastifyInstance) => {
    app.get("/api/openapi.json", async (_request, reply) => {
      document ??= JSON.stringify(
        buildOpenApiDocument({
          version: options.version,
          serverUrl: listeningUrl(app.server.address() as AddressInfo),
        }),
      );
      return reply.type("application/json; charset=utf-8").send(document);
    });
  };
}
