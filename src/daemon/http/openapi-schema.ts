import { z } from "zod";

/** A JSON object of the OpenAPI document (operations, responses, parameters…). */
export type OpenApiObject = Record<string, unknown>;

/** The body of every error answer: `{error:{code,message}}` (see protocol/errors.ts). */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * The JSON Schema of a zod schema, without `$schema` (OpenAPI 3.1 schemas are JSON Schema
 * 2020-12 already). `input` describes what a request may send (defaults optional), `output`
 * what an answer holds.
 */
export function jsonSchema(type: z.ZodType, io: "input" | "output" = "output"): OpenApiObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, {
    io,
    unrepresentable: "any",
  }) as OpenApiObject;
  return rest;
}

/** A JSON response. */
export function json(type: z.ZodType, description: string): OpenApiObject {
  return { description, content: { "application/json": { schema: jsonSchema(type) } } };
}

/** An error response; `headers` for e.g. `Retry-After`. */
export function error(description: string, headers?: OpenApiObject): OpenApiObject {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
}

/** A required JSON request body. */
export function body(type: z.ZodType): OpenApiObject {
  return { required: true, content: { "application/json": { schema: jsonSchema(type, "input") } } };
}

/** A required string path parameter. */
export function pathParam(name: string, description: string): OpenApiObject {
  return { name, in: "path", required: true, description, schema: { type: "string" } };
}

/** The `Retry-After` header of a 429 (whole seconds). */
export const retryAfter: OpenApiObject = {
  "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer", minimum: 1 } },
};
