import type { FastifyInstance } from "fastify";
import { NetclawError } from "../../../protocol/errors.ts";

/** `POST /api/lifecycle/shutdown?reason=…`: answers, then asks the process to drain and exit. */
export function lifecycleRoutes(options: { requestShutdown: (reason: string) => void }) {
  return (app: FastifyInstance) => {
    app.post<{ Querystring: { reason?: string } }>("/api/lifecycle/shutdown", async (request, reply) => {
      const reason = request.query.reason?.trim();
      if (!reason)
        throw new NetclawError("reason_required", "reason query parameter is required", { status: 400 });
      reply.raw.once("finish", () => options.requestShutdown(reason));
      return reply.code(202).send({ reason, pid: process.pid });
    });
  };
}
