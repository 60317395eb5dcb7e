import type { ModelErrorInfo } from "./model-client.ts";

/**
 * What the failover loop does with a failure: `failover` (429, 5xx, transport) switches to the
 * Fallback model, `timeout` retries with backoff, `aborted` stops quietly, `fatal` ends the
 * stream (bad key, bad request, malformed response — retrying would only repeat it).
 */
export type FailureKind = "failover" | "timeout" | "aborted" | "fatal";

export type ClassifiedError = ModelErrorInfo & { kind: FailureKind; retryAfterMs?: number };

const TRANSPORT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const OVERFLOW = /context length|context window|maximum context|too many tokens|prompt is too long/i;

type Fields = {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  responseHeaders?: unknown;
  code?: unknown;
  cause?: unknown;
  type?: unknown;
  error?: unknown;
};

function fields(value: unknown): Fields {
  return value !== null && typeof value === "object" ? (value as Fields) : {};
}

function messageOf(error: unknown): string {
  if (typeof error === "string") return error;
  const { message, error: inner } = fields(error);
  if (typeof message === "string" && message !== "") return message;
  if (inner !== undefined) return messageOf(inner);
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Walks the cause chain looking for a socket-level failure (undici's `terminated`, ECONNRESET…). */
function isTransport(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, message, name } = fields(current);
    if (typeof code === "string" && TRANSPORT_CODES.has(code)) return true;
    if (name === "TypeError" && (message === "terminated" || message === "fetch failed")) return true;
    if (name === "SocketError") return true;
    current = fields(current).cause;
  }
  return false;
}

function retryAfterMs(headers: unknown): number | undefined {
  const value = (fields(headers) as Record<string, unknown>)["retry-after"];
  const seconds = typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Maps anything the SDK or the network threw (or sent as an `error` part) to our error shape. */
export function classifyError(error: unknown): ClassifiedError {
  const { name, statusCode, responseHeaders, type } = fields(error);
  const message = messageOf(error);
  if (name === "AbortError" || name === "ResponseAborted") {
    return { kind: "aborted", code: "aborted", message: "The request was cancelled.", retryable: false };
  }
  // A 200 whose body broke off (undici's `terminated`) is a transport failure, not an HTTP one.
  if (typeof statusCode === "number" && statusCode >= 400) {
    const base = { status: statusCode, message };
    if (statusCode === 429) {
      const after = retryAfterMs(responseHeaders);
      return {
        kind: "failover",
        code: "rate_limited",
        retryable: true,
        ...base,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    }
    if (statusCode >= 500) return { kind: "failover", code: "provider_error", retryable: true, ...base };
    if (statusCode === 401 || statusCode === 403) {
      return {
        kind: "fatal",
        code: "auth_failed",
        retryable: false,
        ...base,
        message: `${message} — check the provider's ApiKey (netclaw secrets set Providers.<name>.ApiKey <key>).`,
      };
    }
    if (OVERFLOW.test(message)) return { kind: "fatal", code: "context_overflow", retryable: false, ...base };
    return { kind: "fatal", code: "bad_request", retryable: false, ...base };
  }
  if (isTransport(error)) {
    return { kind: "failover", code: "transport", retryable: true, message: `Connection failed: ${message}` };
  }
  if (name === "VendorStreamError")
    return { kind: "failover", code: "provider_error", retryable: true, message };
  if (
    name === "AI_JSONParseError" ||
    name === "AI_TypeValidationError" ||
    name === "MalformedResponseError"
  ) {
    return { kind: "fatal", code: "malformed_response", retryable: false, message };
  }
  // Vendors' in-stream error events arrive as plain objects (Anthropic `overloaded_error`, …).
  const vendorType = typeof type === "string" ? type : fields(fields(error).error).type;
  if (typeof vendorType === "string" && /overloaded|rate_limit|api_error|server/i.test(vendorType)) {
    return { kind: "failover", code: "provider_error", retryable: true, message };
  }
  if (OVERFLOW.test(message)) return { kind: "fatal", code: "context_overflow", retryable: false, message };
  return { kind: "fatal", code: "model_error", retryable: false, message };
}

/** The public part of a classified error, as it goes into an `error` event. */
export function toErrorInfo(error: ClassifiedError): ModelErrorInfo {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    ...(error.status === undefined ? {} : { status: error.status }),
  };
}
