import type { SessionEvent } from "../../src/protocol/events.ts";

export type SseFrame = { id?: string; event?: string; data: string };

/**
 * A minimal SSE reader over fetch for process-level tests: it keeps the raw frames, so tests see
 * exactly what the daemon sent (`id:`, `event:`, `data:`), and `until()` waits for an event.
 */
export async function openEventStream(options: { url: string; lastEventId?: number; query?: string }) {
  const controller = new AbortController();
  const response = await fetch(`${options.url}${options.query ?? ""}`, {
    headers: options.lastEventId === undefined ? {} : { "Last-Event-ID": String(options.lastEventId) },
    signal: controller.signal,
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
  }
  const frames: SseFrame[] = [];
  const events: SessionEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end < 0) break;
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = { data: "" };
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) frame.id = line.slice(4);
            else if (line.startsWith("event: ")) frame.event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length === 0) continue;
          frame.data = data.join("\n");
          frames.push(frame);
          events.push(JSON.parse(frame.data) as SessionEvent);
        }
        wake?.();
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      wake?.();
    }
  })();
  let cursor = 0;
  return {
    response,
    frames,
    events,
    comments,
    get ended() {
      return ended;
    },
    /** Events from the last position up to and including the first match (rejects after the timeout). */
    async until(predicate: (event: SessionEvent) => boolean, timeoutMs = 15_000): Promise<SessionEvent[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (cursor < events.length) {
          const event = events[cursor++]!;
          if (predicate(event)) return events.slice(0, cursor);
        }
        if (ended) throw new Error(`stream ended; saw ${events.map((e) => e.type).join(", ")}`);
        if (Date.now() > deadline)
          throw new Error(`timed out; saw ${events.map((e) => `${e.id}:${e.type}`).join(", ")}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

export type EventStreamClient = Awaited<ReturnType<typeof openEventStream>>;

export const turnCompleted = (turnNumber: number) => (event: SessionEvent) =>
  event.type === "turn_completed" && event.turnNumber === turnNumber;

/** JSON over HTTP against a running daemon. */
export function apiClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test responses are checked field by field
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  };
  return {
    call,
    createSession: async (body: { name?: string; channel?: string } = {}) =>
      (await call("POST", "/api/sessions", body)).body.session.sessionId as string,
    send: (id: string, text: string, key?: string) =>
      call("POST", `/api/sessions/${id}/messages`, { text }, key ? { "Idempotency-Key": key } : {}),
    transcript: async (id: string, after = 0) =>
      (await call("GET", `/api/sessions/${id}?after=${after}`)).body.events as SessionEvent[],
    cancel: (id: string) => call("POST", `/api/sessions/${id}/cancel`),
  };
}
