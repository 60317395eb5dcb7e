/**
 * ollama-ai-provider-v2 only `console.warn`s on an unparsable NDJSON line or an `{"error": …}`
 * line and then reports a normal finish — a broken answer would look like a short, successful
 * one. This fetch wrapper checks each line of a streamed NDJSON body and fails the body instead,
 * which the SDK surfaces as an error like any other vendor's.
 */
export class MalformedResponseError extends Error {
  override name = "MalformedResponseError";
}

/** An error the vendor reported inside the stream; retryable like a 5xx. */
export class VendorStreamError extends Error {
  override name = "VendorStreamError";
}

function check(line: string): Error | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return new MalformedResponseError(`Ollama sent a line that is not JSON: ${line.slice(0, 120)}`);
  }
  if (value === null || typeof value !== "object") {
    return new MalformedResponseError(`Ollama sent a line that is not a JSON object: ${line.slice(0, 120)}`);
  }
  const error = (value as { error?: unknown }).error;
  if (error !== undefined) {
    const message = typeof error === "string" ? error : JSON.stringify(error);
    return new VendorStreamError(`Ollama reported an error: ${message}`);
  }
  return undefined;
}

/**
 * Passes complete lines through as they arrive. A bad line fails the stream on the *next* read,
 * after the good lines before it were delivered (erroring at once would discard them).
 */
function guardBody(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  let failure: Error | undefined;
  const take = (text: string): string => {
    let good = "";
    for (const line of text.split("\n")) {
      failure = check(line);
      if (failure !== undefined) break;
      good += `${line}\n`;
    }
    return good;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (failure !== undefined) {
            // Erroring a stream drops what is still queued downstream; one macrotask lets the
            // SDK's pipeline deliver the good lines first.
            await new Promise((resolve) => setImmediate(resolve));
            await reader.cancel().catch(() => {});
            return controller.error(failure);
          }
          const { done, value } = await reader.read();
          if (done) {
            pending += decoder.decode();
            const good = pending.trim() === "" ? "" : take(pending);
            if (good !== "") controller.enqueue(encoder.encode(good));
            if (failure !== undefined) continue;
            return controller.close();
          }
          pending += decoder.decode(value, { stream: true });
          const end = pending.lastIndexOf("\n");
          if (end < 0) continue;
          const good = take(pending.slice(0, end));
          pending = pending.slice(end + 1);
          if (good !== "") return controller.enqueue(encoder.encode(good));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** Wraps `inner` so that streamed NDJSON answers are checked line by line. */
export function ndjsonGuardedFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || response.body === null || !type.includes("ndjson")) return response;
    return new Response(guardBody(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
