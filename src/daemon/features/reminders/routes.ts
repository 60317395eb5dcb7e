import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { NetclawError } from "../../../protocol/errors.ts";
import {
  createReminderRequestSchema,
  describeIssues,
  importRequestSchema,
  type ReminderHistoryResponse,
  type ReminderResponse,
  reminderIdSchema,
} from "../../../protocol/reminders.ts";
import type { ReminderCaller, ReminderService } from "../../scheduler/reminder-service.ts";

export type ReminderRoutesOptions = {
  service: ReminderService;
  /**
   * The audience a request acts with. Default: Personal — every authenticated API caller is the
   * operator (loopback in local mode) or a paired device of theirs.
   */
  callerOf?: (request: FastifyRequest) => ReminderCaller;
};

const validateRequestSchema = z.object({ reminders: z.array(z.unknown()).min(1).max(1000) });
const historyQuerySchema = z.object({ last: z.coerce.number().int().min(1).max(500).default(20) });

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new NetclawError("invalid_request", `Invalid ${what}: ${describeIssues(parsed.error)}.`, {
      status: 400,
    });
  }
  return parsed.data;
}

function idOf(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  const parsed = reminderIdSchema.safeParse(id);
  if (!parsed.success) {
    throw new NetclawError(
      "invalid_reminder_id",
      `'${id}' is not a reminder id: ${parsed.error.issues[0]?.message}.`,
      {
        status: 400,
      },
    );
  }
  return parsed.data;
}

/**
 * The reminder API (reference/core.md §3): `GET/POST /api/reminders`, `POST /validate`,
 * `POST /import`, `GET/DELETE /:id`, `POST /:id/enable|disable|cancel|run`, `GET /:id/history?last=`.
 * Errors are NetclawErrors, rendered by the app's one error handler.
 */
export function reminderRoutes(options: ReminderRoutesOptions) {
  const { service } = options;
  const callerOf = options.callerOf ?? (() => ({ audience: "personal" as const }));
  return (app: FastifyInstance) => {
    app.get("/api/reminders", async (request) => service.list(callerOf(request)));

    app.post("/api/reminders", async (request, reply) => {
      const { writeMode, ...input } = parse(createReminderRequestSchema, request.body, "reminder");
      const result: ReminderResponse = service.set(input, { caller: callerOf(request), writeMode });
      return reply.code(result.created ? 201 : 200).send(result);
    });

    app.post("/api/reminders/validate", async (request) => {
      const body = parse(validateRequestSchema, request.body, "validate request");
      return service.validate(body.reminders);
    });

    app.post("/api/reminders/import", async (request) => {
      const body = parse(importRequestSchema, request.body, "import request");
      return service.import(body.reminders, { caller: callerOf(request), writeMode: body.writeMode });
    });

    app.get("/api/reminders/:id", async (request) => ({
      reminder: service.get(idOf(request), callerOf(request)),
    }));

    app.delete("/api/reminders/:id", async (request, reply) => {
      service.remove(idOf(request), callerOf(request));
      return reply.code(204).send();
    });

    for (const action of ["enable", "disable", "cancel"] as const) {
      app.post(`/api/reminders/:id/${action}`, async (request) => ({
        reminder: service.setEnabled(idOf(request), {
          enabled: action === "enable",
          caller: callerOf(request),
          reason: action === "cancel" ? "cancelled" : "disabled by user",
        }),
      }));
    }

    app.post("/api/reminders/:id/run", async (request, reply) =>
      reply.code(202).send(service.run(idOf(request), callerOf(request))),
    );

    app.get("/api/reminders/:id/history", async (request): Promise<ReminderHistoryResponse> => {
      const id = idOf(request);
      const { last } = parse(historyQuerySchema, request.query, "history query");
      return { reminderId: id, runs: service.history(id, { caller: callerOf(request), last }) };
    });
  };
}
