import type { Headers, HttpReply, VendorId } from "./types.ts";

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Invalid request.",
  401: "Incorrect API key provided.",
  403: "Permission denied.",
  404: "Not found.",
  429: "Rate limit reached for requests.",
  500: "The server had an error while processing your request.",
  503: "The server is overloaded or not ready yet.",
  529: "Overloaded",
};

function openaiType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found" };
  if (status >= 500) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** The error body each vendor sends with a non-2xx status. */
export function vendorErrorBody(options: {
  vendor: VendorId;
  status: number;
  message?: string;
  type?: string;
}): unknown {
  const { vendor, status } = options;
  const message = options.message ?? DEFAULT_MESSAGES[status] ?? `HTTP ${status}`;
  switch (vendor) {
    case "openai": {
      const { type, code } = openaiType(status);
      return { error: { message, type: options.type ?? type, param: null, code } };
    }
    case "anthropic":
      return {
        type: "error",
        error: { type: options.type ?? anthropicErrorType(status), message },
        request_id: "req_fake",
      };
    case "openrouter":
      return { error: { message, code: status } };
    case "ollama":
      return { error: message };
  }
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(vendor: VendorId, message: string): HttpReply {
  return { status: 401, body: vendorErrorBody({ vendor, status: 401, message }) };
}

/**
 * Checks the headers a vendor insists on. Anthropic always requires `anthropic-version`; the key
 * is only checked when the fake was given one: `x-api-key` (or a Bearer token) for Anthropic,
 * `Authorization: Bearer` for everyone else. Returns the error reply, or undefined when accepted.
 */
export function checkCredentials(options: {
  vendor: VendorId;
  headers: Headers;
  apiKey: string | undefined;
}): HttpReply | undefined {
  const { vendor, headers, apiKey } = options;
  const bearer = header(headers, "authorization")?.replace(/^Bearer\s+/i, "");
  if (vendor === "anthropic") {
    if (header(headers, "anthropic-version") === undefined) {
      return {
        status: 400,
        body: vendorErrorBody({ vendor, status: 400, message: "anthropic-version: header is required" }),
      };
    }
    if (apiKey === undefined) return undefined;
    const given = header(headers, "x-api-key") ?? bearer;
    if (given === undefined) return unauthorized(vendor, "x-api-key header is required");
    return given === apiKey ? undefined : unauthorized(vendor, "invalid x-api-key");
  }
  if (apiKey === undefined) return undefined;
  if (bearer === undefined || bearer === "") {
    return unauthorized(
      vendor,
      vendor === "openrouter" ? "No auth credentials found" : "You didn't provide an API key.",
    );
  }
  if (bearer === apiKey) return undefined;
  return unauthorized(vendor, vendor === "openrouter" ? "User not found." : "Incorrect API key provided.");
}
