import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { destroyOnPurpose, sendJson } from "./http-util.ts";
import { checkCredentials, vendorErrorBody } from "./protocols/errors.ts";
import type { ChatProtocol, ReplyMeta } from "./protocols/types.ts";
import { type HttpFailure, planReply, type Reply, type ReplyPlan } from "./reply.ts";
import type { RecordedRequest } from "./request-log.ts";
import { applyInBandFailures, writeFrames } from "./stream-writer.ts";

export type ChatExchange = {
  protocol: ChatProtocol;
  record: RecordedRequest;
  res: ServerResponse;
  apiKey: string | undefined;
  /** Picks the reply for this request (queue, handler, default). */
  nextReply: (record: RecordedRequest) => Promise<Reply>;
  /** Requests told to hang are kept here so `close()` can end them. */
  hanging: Set<ServerResponse>;
};

function requestIdHeaders(protocol: ChatProtocol, seq: number): Record<string, string> {
  if (protocol.vendor === "openai") return { "x-request-id": `req_fake${seq}` };
  if (protocol.vendor === "anthropic") return { "request-id": `req_fake${seq}` };
  return {};
}

function sendFailure(exchange: ChatExchange, failure: HttpFailure): void {
  const { protocol, res } = exchange;
  const headers: Record<string, string> = requestIdHeaders(protocol, exchange.record.seq);
  if (failure.retryAfter !== undefined) headers["retry-after"] = String(failure.retryAfter);
  const body = failure.body ?? vendorErrorBody({ vendor: protocol.vendor, status: failure.status });
  sendJson({ res, status: failure.status, body, headers });
}

/** Rough, deterministic prompt size: four characters a token. */
function estimateInputTokens(rawBody: string): number {
  return Math.max(1, Math.ceil(rawBody.length / 4));
}

/** One planned answer to one exchange. */
type Answer = { exchange: ChatExchange; plan: ReplyPlan; meta: ReplyMeta };

async function answerStream({ exchange, plan, meta }: Answer): Promise<void> {
  const { protocol, res, record } = exchange;
  const streamError = plan.streamError;
  const frames = applyInBandFailures({
    frames: protocol.streamFrames(plan, meta),
    plan,
    errorFrame: () =>
      protocol.streamErrorFrame(streamError ?? { message: undefined, type: undefined, afterChunks: 0 }, meta),
  });
  const contentType =
    protocol.encoding === "sse" ? "text/event-stream; charset=utf-8" : "application/x-ndjson";
  res.writeHead(200, {
    "content-type": contentType,
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...requestIdHeaders(protocol, record.seq),
  });
  res.flushHeaders();
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  await writeFrames({ res, frames, encoding: protocol.encoding, plan, signal: controller.signal });
}

async function answerOnce({ exchange, plan, meta }: Answer): Promise<void> {
  const { protocol, res, record } = exchange;
  if (plan.firstTokenDelayMs > 0) {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    try {
      await sleep(plan.firstTokenDelayMs, undefined, { signal: controller.signal });
    } catch {
      return;
    }
  }
  if (plan.disconnectAfterChunks !== undefined) {
    destroyOnPurpose(res);
    return;
  }
  const headers = requestIdHeaders(protocol, record.seq);
  if (plan.streamError !== undefined) {
    const status = protocol.vendor === "anthropic" && plan.streamError.type === undefined ? 529 : 500;
    const { message, type } = plan.streamError;
    const body = vendorErrorBody({
      vendor: protocol.vendor,
      status,
      ...(message === undefined ? {} : { message }),
      ...(type === undefined ? {} : { type }),
    });
    sendJson({ res, status, body, headers });
    return;
  }
  const text = JSON.stringify(protocol.completion(plan, meta));
  const body = plan.malformed ? text.slice(0, Math.ceil(text.length / 2)) : text;
  sendJson({ res, status: 200, body, headers });
}

/**
 * Answers one model call: credentials, body validation, then the scripted reply in the
 * protocol's wire format (streaming or not), including every scripted failure mode.
 */
export async function answerChat(exchange: ChatExchange): Promise<void> {
  const { protocol, record, res } = exchange;
  const denied = checkCredentials({
    vendor: protocol.vendor,
    headers: res.req.headers,
    apiKey: exchange.apiKey,
  });
  if (denied !== undefined) {
    sendJson({ res, ...denied });
    return;
  }
  const parsed =
    record.body === undefined
      ? ({ ok: false, message: "We could not parse the JSON body of your request." } as const)
      : protocol.parseRequest(record.body);
  if (!parsed.ok) {
    const body = vendorErrorBody({ vendor: protocol.vendor, status: 400, message: parsed.message });
    sendJson({ res, status: 400, body });
    return;
  }
  const request = parsed.request;
  record.model = request.model;
  record.stream = request.stream;
  record.lastUserText = request.lastUserText;
  record.endsWithToolResult = request.endsWithToolResult;
  const reply = await exchange.nextReply(record);
  const failure = reply.failure;
  if (typeof failure === "object" && "status" in failure) {
    sendFailure(exchange, failure);
    return;
  }
  if (failure === "hang") {
    exchange.hanging.add(res);
    res.on("close", () => exchange.hanging.delete(res));
    return;
  }
  const plan = planReply(reply, estimateInputTokens(record.rawBody));
  const meta: ReplyMeta = {
    seq: record.seq,
    model: request.model,
    createdSeconds: Math.floor(record.timestamp / 1000),
    includeUsage: request.includeUsage,
  };
  if (request.stream) await answerStream({ exchange, plan, meta });
  else await answerOnce({ exchange, plan, meta });
}
