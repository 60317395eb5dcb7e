import type { IncomingMessage, ServerResponse } from "node:http";

/** Sends a JSON body (a string body is sent verbatim) unless the client is already gone. */
export function sendJson(options: {
  res: ServerResponse;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}): void {
  const { res, status, body, headers } = options;
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export class BodyTooLargeError extends Error {}

/** Reads the whole request body as UTF-8; rejects with BodyTooLargeError beyond `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a JSON object body; anything else (invalid JSON, arrays, scalars) is undefined. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (text === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Flattens Node's header record: lower-case names, repeated values joined with ", ". */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

const destroyedByFake = new WeakSet<ServerResponse>();

/** Destroys the connection on purpose (a scripted disconnect), so it is not logged as a client abort. */
export function destroyOnPurpose(res: ServerResponse): void {
  destroyedByFake.add(res);
  res.destroy();
}

export function isDestroyedByFake(res: ServerResponse): boolean {
  return destroyedByFake.has(res);
}
