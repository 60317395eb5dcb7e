import { EXPECT_HOME_HEADER } from "../protocol/daemon-identity.ts";
import { NetclawError } from "../protocol/errors.ts";
import { type SessionEvent, sessionEventSchema } from "../protocol/events.ts";
import { checkIdentity, WrongDaemonError } from "./client.ts";
import { createSseParser } from "./sse-parser.ts";

/** Waits between reconnect attempts: 1 s, 2 s, 5 s, then 10 s for every further attempt. */
export const RECONNECT_BACKOFF_MS: readonly number[] = [1000, 2000, 5000, 10_000];

/** What the event stream yields: session events, and connection changes worth showing a user. */
export type StreamItem =
  | { kind: "event"; event: SessionEvent }
  | { kind: "connected"; resumedAfter: number | undefined }
  | { kind: "disconnected"; reason: string; retryInMs: number; attempt: number }
  | { kind: "invalid"; reason: string; data: string };

/** The stream cannot continue: 401/403 (pair again), 404 (no such session) or another refusal. */
export class EventStreamError extends NetclawError {}

export type EventStreamOptions = {
  /** Full URL of `GET /api/sessions/:id/events`. */
  url: string;
  token?: string;
  /** The home id the daemon must answer to (client.ts `checkIdentity`); checked on every reconnect. */
  expectHome?: string;
  /** Resume after this event id (sent as `Last-Event-ID`); omitted = the daemon's default. */
  lastEventId?: number;
  signal: AbortSignal;
  backoffMs?: readonly number[];
  /** Stop reconnecting after this many consecutive failed attempts (default: never stop). */
  maxAttempts?: number;
  /** A stream that was open this long resets the backoff to its first step. */
  healthyAfterMs?: number;
};

/**
 * Reads a session's SSE stream, validating every event against the protocol schema, and
 * reconnects with backoff (sending `Last-Event-ID`) whenever the connection drops or the daemon is
 * down. Ends quietly when `signal` aborts. Throws `EventStreamError` for answers that retrying
 * cannot fix (401, 403, 404, other 4xx, another home's daemon now on the port). Events are yielded in order and never twice: anything
 * whose id is not above the last one yielded is dropped.
 */
export async function* sessionEventStream(options: EventStreamOptions): AsyncGenerator<StreamItem> {
  const backoff = options.backoffMs ?? RECONNECT_BACKOFF_MS;
  let lastId = options.lastEventId;
  let failures = 0;
  while (!options.signal.aborted) {
    const openedAt = Date.now();
    let reason: string;
    try {
      const response = await connect(options, lastId);
      if (response.status === 200 && response.body) {
        yield { kind: "connected", resumedAfter: lastId };
        const queue: StreamItem[] = [];
        const parser = createSseParser((message) => {
          const item = toItem(message.data, message.event);
          if (item.kind === "event") {
            if (lastId !== undefined && item.event.id <= lastId) return;
            lastId = item.event.id;
          }
          queue.push(item);
        });
        const decoder = new TextDecoder();
        for await (const chunk of response.body) {
          parser.push(decoder.decode(chunk as Uint8Array, { stream: true }));
          while (queue.length > 0) yield queue.shift()!;
        }
        reason = "the daemon closed the stream";
      } else {
        await response.body?.cancel();
        if (
          response.status >= 400 &&
          response.status < 500 &&
          response.status !== 408 &&
          response.status !== 429
        ) {
          throw refusal(response.status);
        }
        reason = `HTTP ${response.status}`;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      if (error instanceof EventStreamError) throw error;
      reason = describe(error);
    }
    if (options.signal.aborted) return;
    if (Date.now() - openedAt >= (options.healthyAfterMs ?? 5000)) failures = 0;
    failures++;
    if (options.maxAttempts !== undefined && failures > options.maxAttempts) {
      throw new EventStreamError("stream_lost", `lost the event stream: ${reason}`, { isRetryable: true });
    }
    const retryInMs = backoff[Math.min(failures - 1, backoff.length - 1)] ?? 1000;
    yield { kind: "disconnected", reason, retryInMs, attempt: failures };
    await sleep(retryInMs, options.signal);
  }
}

async function connect(options: EventStreamOptions, lastId: number | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.expectHome) headers[EXPECT_HOME_HEADER] = options.expectHome;
  if (lastId !== undefined) headers["last-event-id"] = String(lastId);
  const response = await fetch(options.url, { headers, redirect: "error", signal: options.signal });
  if (!options.expectHome) return response;
  try {
    await checkIdentity(response, new URL(options.url).origin, options.expectHome);
  } catch (error) {
    if (error instanceof WrongDaemonError)
      throw new EventStreamError(error.code, error.message, { status: 409 });
    throw error;
  }
  return response;
}

function toItem(data: string, eventName: string): StreamItem {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "invalid", reason: `event '${eventName}' is not JSON`, data };
  }
  const parsed = sessionEventSchema.safeParse(json);
  if (!parsed.success) {
    return { kind: "invalid", reason: `event '${eventName}' does not match the protocol`, data };
  }
  return { kind: "event", event: parsed.data };
}

function refusal(status: number): EventStreamError {
  if (status === 401 || status === 403) {
    return new EventStreamError(
      "unauthorized",
      `the daemon refused this device (HTTP ${status}); pair again with \`netclaw pair <endpoint>\``,
      { status },
    );
  }
  if (status === 404)
    return new EventStreamError("session_not_found", "the session no longer exists", { status });
  return new EventStreamError(`http_${status}`, `the daemon refused the event stream (HTTP ${status})`, {
    status,
  });
}

function describe(error: unknown): string {
  const err = error as { cause?: { code?: string }; message?: string };
  if (err.cause?.code === "ECONNREFUSED") return "connection refused";
  if (err.cause?.code === "ECONNRESET") return "connection reset";
  if (err.message === "terminated") return "connection lost";
  return err.message ?? String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
