import { NetclawError } from "../protocol/errors.ts";

export type BoundedResponse = {
  status: number;
  location: string | null;
  retryAfter: string | null;
  text: string;
};

/**
 * POSTs JSON for the pairing commands with the safety limits of reference/security.md §2.5:
 * never follows a redirect (a 3xx is returned to the caller), never sends a bearer token, reads
 * at most `maxBytes` of the answer and gives up after `timeoutMs` for the whole exchange.
 * Throws NetclawError `pairing_unreachable` for network failures and timeouts and
 * `pairing_response_too_large` for an oversized answer; the request body never appears in errors.
 */
export async function postJsonBounded(options: {
  url: string;
  body: unknown;
  timeoutMs: number;
  maxBytes: number;
  /** Extra request headers (never a bearer token). */
  headers?: Record<string, string>;
}): Promise<BoundedResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(options.url, {
      method: "POST",
      headers: { ...options.headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(options.body),
      redirect: "manual",
      signal,
    });
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > options.maxBytes) {
          await reader.cancel();
          throw new NetclawError(
            "pairing_response_too_large",
            `The answer from ${options.url} is larger than ${options.maxBytes} bytes; that is not a netclaw daemon.`,
            { status: 502 },
          );
        }
        chunks.push(value);
      }
    }
    return {
      status: response.status,
      location: response.headers.get("location"),
      retryAfter: response.headers.get("retry-after"),
      text: Buffer.concat(chunks).toString("utf8"),
    };
  } catch (error) {
    if (error instanceof NetclawError) throw error;
    const reason = signal.aborted
      ? `no answer within ${options.timeoutMs / 1000} s`
      : ((error as { cause?: { code?: string; message?: string } }).cause?.code ?? (error as Error).message);
    throw new NetclawError("pairing_unreachable", `Cannot reach ${options.url}: ${reason}.`, {
      status: 503,
      isRetryable: true,
    });
  }
}

/** The `error.message` of a daemon error body, if the text is one. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string };
    if (typeof parsed.error === "string") return parsed.error;
    return typeof parsed.error?.message === "string" ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
