import type { FastifyInstance } from "fastify";
import { errorBody } from "../../../protocol/errors.ts";
import type { HealthStatus } from "../../../protocol/health.ts";

export type HealthRoutesOptions = {
  isReady: () => boolean;
  status: () => HealthStatus;
};

/** `/api/health/ready` (anonymous, for orchestrators) and `/api/health/status` (authorized). */
export function healthRoutes(options: HealthRoutesOptions) {
  return (app: FastifyInstance) => {
    app.get("/api/health/ready", { config: { anonymous: true } }, async (_request, reply) => {
      if (!options.isReady()) {
        return reply.code(503).send(errorBody("not_ready", "netclawd is starting or shutting down."));
      }
      return reply.type("text/plain; charset=utf-8").send("healthy");
    });
    app.get("/api/health/status", async () => options.status());
  };
}
