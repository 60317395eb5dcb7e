import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerChat } from "./chat-exchange.ts";
import { answerControl } from "./control.ts";
import {
  BodyTooLargeError,
  flatHeaders,
  isDestroyedByFake,
  parseJsonObject,
  readBody,
  sendJson,
} from "./http-util.ts";
import { anthropicModels, anthropicProtocol } from "./protocols/anthropic.ts";
import { openaiChatProtocol, openaiModels } from "./protocols/chat-completions.ts";
import { checkCredentials, vendorErrorBody } from "./protocols/errors.ts";
import { ollamaProtocol, ollamaShow, ollamaTags } from "./protocols/ollama.ts";
import { openaiResponsesProtocol } from "./protocols/openai-responses.ts";
import { openrouterModels, openrouterProtocol } from "./protocols/openrouter.ts";
import type { ChatProtocol, FakeModel, HttpReply, VendorId } from "./protocols/types.ts";
import { defaultReplyText, type Reply, type ReplyInput, replySchema, toReply } from "./reply.ts";
import { createRequestLog, type RecordedRequest, type WaitOptions } from "./request-log.ts";

export type { FakeModel, ProtocolId, VendorId } from "./protocols/types.ts";
export type { Reply, ReplyFailure, ReplyInput, ToolCallSpec } from "./reply.ts";
export { defaultReplyText, generatedToken } from "./reply.ts";
export type { RecordedRequest, RequestFilter, WaitOptions } from "./request-log.ts";

/** Decides the reply for a model call; returning undefined falls through to the default answer. */
export type ReplyHandler = (
  request: RecordedRequest,
) => ReplyInput | undefined | Promise<ReplyInput | undefined>;

export type FakeUpstreamOptions = {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Require this key from every vendor, or only from the vendors named. */
  apiKey?: string | Partial<Record<VendorId, string>>;
  /** Models on the listing endpoints (default: `fake-model` and `fake-thinker`). */
  models?: FakeModel[];
  handler?: ReplyHandler;
  /** Serve the `/__fake/*` control routes (enqueue replies, read the log) for out-of-process use. */
  control?: boolean;
  /** Request-log entries kept (default 10000, oldest dropped first). */
  requestLogLimit?: number;
};

export type FakeUpstream = {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  /** `${url}/v1` — for `createOpenAI` and `createOpenAICompatible`. */
  openaiBaseUrl: string;
  /** `${url}/v1` — for `createAnthropic` (it appends `/messages`). */
  anthropicBaseUrl: string;
  /** `${url}/api` — `ollama-ai-provider-v2` wants the `/api` suffix; native Ollama's root is `url`. */
  ollamaBaseUrl: string;
  /** `${url}/api/v1` — for `createOpenRouter`. */
  openrouterBaseUrl: string;
  /** Every request received, oldest first (model calls, listings and unknown paths). */
  readonly requests: readonly RecordedRequest[];
  /** Queues replies for the next model calls, first in first out. Throws on an invalid reply. */
  enqueue(...replies: ReplyInput[]): void;
  setHandler(handler: ReplyHandler | undefined): void;
  /** Replies still queued. */
  readonly pendingReplies: number;
  /** Resolves once `count` matching requests arrived; rejects after the timeout (ms, default 5000). */
  waitForRequests(count: number, options?: number | WaitOptions): Promise<RecordedRequest[]>;
  clearRequests(): void;
  /** Stops listening and ends every open exchange, hanging ones included. Idempotent. */
  close(): Promise<void>;
};

const DEFAULT_MODELS: FakeModel[] = [
  { id: "fake-model", contextLength: 131072, capabilities: ["completion", "tools"] },
  {
    id: "fake-thinker",
    contextLength: 200000,
    capabilities: ["completion", "tools", "thinking"],
    family: "qwen3",
  },
];

const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

type Route =
  | { kind: "chat"; vendor: VendorId; protocol: ChatProtocol }
  | { kind: "listing"; vendor: VendorId; answer: (body: unknown) => HttpReply };

function findRoute(options: {
  req: IncomingMessage;
  path: string;
  models: readonly FakeModel[];
}): Route | undefined {
  const { req, path, models } = options;
  const ok = (body: unknown): HttpReply => ({ status: 200, body });
  const chat = (protocol: ChatProtocol): Route => ({ kind: "chat", vendor: protocol.vendor, protocol });
  const key = `${req.method} ${path}`;
  switch (key) {
    case "POST /v1/chat/completions":
      return chat(openaiChatProtocol);
    case "POST /v1/responses":
      return chat(openaiResponsesProtocol);
    case "POST /v1/messages":
      return chat(anthropicProtocol);
    case "GET /v1/models": {
      // One path, two vendors: Anthropic clients always send their version header.
      const anthropic =
        req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined;
      return anthropic
        ? { kind: "listing", vendor: "anthropic", answer: () => ok(anthropicModels(models)) }
        : { kind: "listing", vendor: "openai", answer: () => ok(openaiModels(models)) };
    }
    case "POST /api/chat":
      return chat(ollamaProtocol);
    case "GET /api/tags":
      return { kind: "listing", vendor: "ollama", answer: () => ok(ollamaTags(models)) };
    case "POST /api/show":
      return { kind: "listing", vendor: "ollama", answer: (body) => ollamaShow(models, body) };
    case "GET /":
      // Ollama's liveness answer; tools probe it before anything else.
      return {
        kind: "listing",
        vendor: "ollama",
        answer: () => ({
          status: 200,
          body: "Ollama is running",
          headers: { "content-type": "text/plain; charset=utf-8" },
        }),
      };
    case "GET /api/version":
      return { kind: "listing", vendor: "ollama", answer: () => ok({ version: "0.12.6" }) };
    case "POST /api/v1/chat/completions":
      return chat(openrouterProtocol);
    case "GET /api/v1/models":
      return { kind: "listing", vendor: "openrouter", answer: () => ok(openrouterModels(models)) };
    default:
      return undefined;
  }
}

function validReply(input: ReplyInput): Reply {
  const parsed = replySchema.safeParse(toReply(input));
  if (!parsed.success) throw new TypeError(`fake upstream: invalid reply: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Starts one HTTP server on 127.0.0.1 that speaks OpenAI (chat completions and responses),
 * Anthropic, Ollama and OpenRouter on their real paths. Replies come from the queue, then the
 * handler, then a deterministic default (`defaultReplyText` of the last user message).
 */
export async function createFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const models = options.models ?? DEFAULT_MODELS;
  const log = createRequestLog(options.requestLogLimit ?? 10_000);
  const queue: Reply[] = [];
  const hanging = new Set<ServerResponse>();
  let handler = options.handler;
  let seq = 0;
  let shuttingDown = false;

  const keyFor = (vendor: VendorId) =>
    typeof options.apiKey === "string" ? options.apiKey : options.apiKey?.[vendor];

  const nextReply = async (record: RecordedRequest): Promise<Reply> => {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    const handled = handler === undefined ? undefined : await handler(record);
    if (handled !== undefined) return validReply(handled);
    return { text: defaultReplyText(record.lastUserText ?? "") };
  };

  const enqueue = (...replies: ReplyInput[]) => {
    queue.push(...replies.map(validReply));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (options.control === true && url.pathname.startsWith("/__fake/")) {
      const rawBody = await readBody(req, BODY_LIMIT_BYTES);
      answerControl({ req, res, rawBody, log, enqueue });
      return;
    }
    const route = findRoute({ req, path: url.pathname, models });
    const rawBody = await readBody(req, BODY_LIMIT_BYTES);
    const headers = flatHeaders(req);
    const record: RecordedRequest = {
      seq: ++seq,
      vendor: route?.vendor,
      protocol: route?.kind === "chat" ? route.protocol.id : undefined,
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search,
      headers,
      body: parseJsonObject(rawBody),
      rawBody,
      timestamp: Date.now(),
      clientAborted: false,
    };
    if (route?.vendor === "openrouter") {
      const title = headers["x-title"] ?? headers["x-openrouter-title"];
      const referer = headers["http-referer"];
      record.attribution = {
        ...(referer === undefined ? {} : { referer }),
        ...(title === undefined ? {} : { title }),
      };
    }
    res.on("close", () => {
      if (!res.writableFinished && !shuttingDown && !isDestroyedByFake(res)) record.clientAborted = true;
    });
    log.add(record);
    if (route === undefined) {
      sendJson({
        res,
        status: 404,
        body: { error: { message: `fake upstream: no route for ${req.method} ${url.pathname}` } },
      });
      return;
    }
    if (route.kind === "chat") {
      await answerChat({
        protocol: route.protocol,
        record,
        res,
        apiKey: keyFor(route.vendor),
        nextReply,
        hanging,
      });
      return;
    }
    const denied = checkCredentials({
      vendor: route.vendor,
      headers: req.headers,
      apiKey: keyFor(route.vendor),
    });
    sendJson({ res, ...(denied ?? route.answer(record.body)) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const tooLarge = error instanceof BodyTooLargeError;
      const status = tooLarge ? 413 : 500;
      const message = error instanceof Error ? error.message : String(error);
      sendJson({ res, status, body: vendorErrorBody({ vendor: "openai", status, message }) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: `${url}/v1`,
    ollamaBaseUrl: `${url}/api`,
    openrouterBaseUrl: `${url}/api/v1`,
    get requests() {
      return log.entries;
    },
    enqueue,
    setHandler(next) {
      handler = next;
    },
    get pendingReplies() {
      return queue.length;
    },
    waitForRequests: (count, waitOptions) =>
      log.wait(count, typeof waitOptions === "number" ? { timeoutMs: waitOptions } : waitOptions),
    clearRequests: () => log.clear(),
    close() {
      shuttingDown = true;
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
