import type { FastifyReply } from "fastify";

/** One Server-Sent Events frame. `event` must not contain CR or LF (it would forge fields). */
export type SseMessage = { id?: number | string; event?: string; data: string };

const LINE_BREAK = /[\r\n]/;

/**
 * Serialises one frame: `id:`, `event:`, one `data:` line per line of `data`, blank line.
 * Throws on a CR/LF in `id` or `event`.
 */
export function formatSse(message: SseMessage): string {
  let frame = "";
  if (message.id !== undefined) {
    const id = String(message.id);
    if (LINE_BREAK.test(id)) throw new Error("SSE id must not contain CR or LF");
    frame += `id: ${id}\n`;
  }
  if (message.event !== undefined) {
    if (LINE_BREAK.test(message.event)) throw new Error("SSE event name must not contain CR or LF");
    frame += `event: ${message.event}\n`;
  }
  for (const line of message.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** Headers for an event stream that proxies (nginx, Cloudflare, Tailscale) pass through unbuffered. */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

/**
 * Streams `source` to the client as SSE until the source ends or the client goes away. Sends a
 * `retry:` hint first and a `: heartbeat` comment every `heartbeatMs` so idle connections stay
 * open through proxies. The client disconnecting stops the source iterator (its `return()`
 * runs); the response is always ended in `finally`.
 */
export async function streamSse<T>(options: {
  reply: FastifyReply;
  source: AsyncIterable<T>;
  toMessage: (item: T) => SseMessage;
  heartbeatMs: number;
  retryMs?: number;
}): Promise<void> {
  const { reply } = options;
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, SSE_HEADERS);
  raw.write(`retry: ${options.retryMs ?? 1000}\n\n`);
  const iterator = options.source[Symbol.asyncIterator]();
  let gone = false;
  const stop = () => {
    if (gone) return;
    gone = true;
    void iterator.return?.();
  };
  raw.once("close", stop);
  const heartbeat = setInterval(() => {
    if (!gone) raw.write(": heartbeat\n\n");
  }, options.heartbeatMs);
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done || gone) break;
      if (!raw.write(formatSse(options.toMessage(next.value)))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            raw.off("drain", done);
            raw.off("close", done);
            resolve();
          };
          raw.once("drain", done);
          raw.once("close", done);
        });
      }
    }
  } finally {
    clearInterval(heartbeat);
    raw.off("close", stop);
    stop();
    if (!raw.destroyed) raw.end();
  }
}

/** Counts open event streams against a cap (Daemon.MaxEventStreams). */
export type StreamGate = {
  /** Takes a slot: the returned function gives it back (idempotent); `undefined` when full. */
  enter(): (() => void) | undefined;
  open(): number;
};

/**
 * Event streams are exempt from the request timeouts, so they get their own bound: at most `max`
 * at once per daemon, below Daemon.MaxConnections so plain requests always find a connection.
 */
export function createStreamGate(max: number): StreamGate {
  let open = 0;
  return {
    enter() {
      if (open >= max) return undefined;
      open += 1;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        open -= 1;
      };
    },
    open: () => open,
  };
}
