import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { parseJsonObject, sendJson } from "./http-util.ts";
import { type ReplyInput, replySchema } from "./reply.ts";
import type { RequestLog } from "./request-log.ts";

/**
 * Control routes for a fake running in another process (`serve.ts`):
 *   POST   /__fake/replies   body: a reply, a string, or `{ "replies": [...] }` — queued in order
 *   GET    /__fake/requests  the request log as JSON
 *   DELETE /__fake/requests  clears the log
 * They are not recorded in the log themselves.
 */
const replyInputSchema = z.union([z.string(), replySchema]);
const repliesBodySchema = z.union([z.strictObject({ replies: z.array(replyInputSchema) }), replyInputSchema]);

export function answerControl(options: {
  req: IncomingMessage;
  res: ServerResponse;
  rawBody: string;
  log: RequestLog;
  enqueue: (...replies: ReplyInput[]) => void;
}): void {
  const { req, res, rawBody, log } = options;
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  const route = `${req.method} ${path}`;
  if (route === "POST /__fake/replies") {
    let body: unknown = parseJsonObject(rawBody);
    if (body === undefined) {
      // A bare JSON string is a text reply.
      const asString = z.string().safeParse(safeJson(rawBody));
      body = asString.success ? asString.data : undefined;
    }
    const parsed = repliesBodySchema.safeParse(body);
    if (!parsed.success) {
      sendJson({ res, status: 400, body: { error: { message: z.prettifyError(parsed.error) } } });
      return;
    }
    const replies =
      typeof parsed.data === "object" && "replies" in parsed.data ? parsed.data.replies : [parsed.data];
    options.enqueue(...replies);
    sendJson({ res, status: 200, body: { queued: replies.length } });
    return;
  }
  if (route === "GET /__fake/requests") {
    sendJson({ res, status: 200, body: log.entries });
    return;
  }
  if (route === "DELETE /__fake/requests") {
    log.clear();
    sendJson({ res, status: 200, body: { cleared: true } });
    return;
  }
  sendJson({ res, status: 404, body: { error: { message: `fake upstream: no control route ${route}` } } });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
