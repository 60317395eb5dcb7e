import { sessionEventSchema } from "../../protocol/events.ts";
import { accessPaths } from "./openapi-access.ts";
import { mcpPaths, reminderPaths } from "./openapi-operations.ts";
import { error, errorBodySchema, jsonSchema, type OpenApiObject } from "./openapi-schema.ts";
import { sessionPaths } from "./openapi-sessions.ts";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/**
 * Every operation can meet the host/origin guard (403), and every authenticated one the
 * authenticator (401): added here once instead of on each operation, so none can miss them.
 */
function withCommonResponses(paths: Record<string, OpenApiObject>): Record<string, OpenApiObject> {
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as { security?: unknown[]; responses: OpenApiObject } | undefined;
      if (!operation) continue;
      const anonymous = Array.isArray(operation.security) && operation.security.length === 0;
      if (!anonymous) operation.responses["401"] ??= { $ref: "#/components/responses/Unauthorized" };
      operation.responses["403"] ??= { $ref: "#/components/responses/Forbidden" };
    }
  }
  return paths;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the daemon
 * validates with and the CLI parses with, so it cannot drift from the code. `serverUrl` is the
 * daemon's own address (the one it listens on). Every route the app registers must be here:
 * test/openapi.test.ts compares this document with the routes a real daemon registered.
 */
export function buildOpenApiDocument(options: { version: string; serverUrl: string }) {
  return {
    openapi: "3.1.0",
    info: {
      title: "netclawd API",
      version: options.version,
      description:
        "HTTP API of the netclaw daemon. Authentication: a loopback caller in `local` exposure mode, else `Authorization: Bearer <device token>`; the operations with `security: []` are anonymous and carry their own credential. Every request's `Host` must name the daemon, and browser requests from a foreign `Origin` are refused (403).",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: options.serverUrl, description: "This daemon" }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "A paired device's token (`netclaw pair`). In `local` exposure mode a loopback caller needs none.",
        },
      },
      schemas: { SessionEvent: jsonSchema(sessionEventSchema), Error: jsonSchema(errorBodySchema) },
      responses: {
        Unauthorized: {
          ...error("No valid device token (and not a trusted loopback caller)"),
          headers: { "WWW-Authenticate": { schema: { type: "string" } } },
        },
        Forbidden: error("The `Host` does not name this daemon, or the `Origin` is foreign"),
      },
    },
    security: [{ bearer: [] }],
    paths: withCommonResponses({ ...sessionPaths(), ...reminderPaths(), ...mcpPaths(), ...accessPaths() }),
  };
}
