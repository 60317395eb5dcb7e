import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { ApprovalOption } from "../protocol/events.ts";
import {
  type Channel,
  cancelResponseSchema,
  type SessionSummary,
  sendMessageResponseSchema,
  sessionListSchema,
  sessionResponseSchema,
  transcriptSchema,
} from "../protocol/sessions.ts";
import { type DaemonClient, DaemonResponseError, DaemonUnreachableError } from "./client.ts";

export type SentMessage = { messageId: string; eventId: number; queued: boolean; duplicate: boolean };

/**
 * Typed calls for the sessions API (`src/protocol/sessions.ts`). Every answer is validated; HTTP
 * errors throw `DaemonResponseError`, an unreachable daemon `DaemonUnreachableError`.
 */
export function createSessionApi(client: DaemonClient) {
  const path = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;
  return {
    /** Creates a session, or with `name` returns the one of that name (creating it if missing). */
    async open(options: { name?: string; channel?: Channel }) {
      return sessionResponseSchema.parse(await client.post("/api/sessions", options));
    },
    async list(): Promise<SessionSummary[]> {
      return sessionListSchema.parse(await client.get("/api/sessions")).sessions;
    },
    /** The sessions `ref` may mean: that id, that name, or ids starting with it (the daemon filters). */
    async find(ref: string): Promise<SessionSummary[]> {
      const query = new URLSearchParams({ match: ref });
      return sessionListSchema.parse(await client.get(`/api/sessions?${query}`)).sessions;
    },
    /** One page of the stored transcript; `undefined` when there is no such session. */
    async transcript(id: string, options: { after?: number; limit?: number } = {}) {
      const params = new URLSearchParams();
      if (options.after !== undefined) params.set("after", String(options.after));
      if (options.limit !== undefined) params.set("limit", String(options.limit));
      const query = params.size > 0 ? `?${params}` : "";
      try {
        return transcriptSchema.parse(await client.get(`${path(id)}${query}`));
      } catch (error) {
        if (error instanceof DaemonResponseError && error.status === 404) return undefined;
        throw error;
      }
    },
    /**
     * Sends a message. The `Idempotency-Key` makes a retry after a lost answer safe: the daemon
     * stores the message once. While the daemon is unreachable (or answers 503 while starting) it retries up to `attempts` times.
     */
    async send(id: string, message: { text: string; key?: string; attempts?: number; signal?: AbortSignal }) {
      const key = message.key ?? randomUUID();
      const attempts = message.attempts ?? 1;
      for (let attempt = 1; ; attempt++) {
        try {
          const body = await client.jsonWith({
            method: "POST",
            path: `${path(id)}/messages`,
            body: { text: message.text },
            headers: { "idempotency-key": key },
          });
          return sendMessageResponseSchema.parse(body) as SentMessage;
        } catch (error) {
          const transient =
            error instanceof DaemonUnreachableError ||
            (error instanceof DaemonResponseError && error.status === 503);
          const retry = transient && attempt < attempts && !message.signal?.aborted;
          if (!retry) throw error;
          // abortable, so leaving the chat never waits for a retry timer
          await delay(Math.min(10_000, 1000 * attempt), undefined, { signal: message.signal }).catch(
            () => {},
          );
        }
      }
    },
    async cancel(id: string): Promise<boolean> {
      return cancelResponseSchema.parse(await client.post(`${path(id)}/cancel`)).cancelled;
    },
    /** Answers an `approval_requested` event (the route the tools issue serves). */
    async approve(id: string, answer: { callId: string; decision: ApprovalOption }): Promise<void> {
      await client.post(`${path(id)}/approvals/${encodeURIComponent(answer.callId)}`, {
        decision: answer.decision,
      });
    },
    eventsUrl: (id: string) => `${client.endpoint}${path(id)}/events`,
  };
}

export type SessionApi = ReturnType<typeof createSessionApi>;
