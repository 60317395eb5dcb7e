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

function guardBody(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pending += decoder.decode(chunk, { stream: true });
        const end = pending.lastIndexOf("\n");
        if (end < 0) return;
        const complete = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        for (const line of complete.split("\n")) {
          const problem = check(line);
          if (problem !== undefined) return controller.error(problem);
        }
        controller.enqueue(encoder.encode(complete));
      },
      flush(controller) {
        pending += decoder.decode();
        const problem = check(pending);
        if (problem !== undefined) return controller.error(problem);
        if (pending !== "") controller.enqueue(encoder.encode(pending));
      },
    }),
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
