import type { FastifyInstance } from "fastify";
import { buildOpenApiDocument } from "../openapi.ts";

/** `GET /api/openapi.json`: built once, served as is. */
export function openApiRoutes(options: { version: string }) {
  const document = JSON.stringify(buildOpenApiDocument(options));
  return (app: FastifyInstance) => {
    app.get("/api/openapi.json", async (_request, reply) =>
      reply.type("application/json; charset=utf-8").send(document),
    );
  };
}
