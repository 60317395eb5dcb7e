// Bench hooks for the daemon's session path (issue 3 §6): drive turns over the real HTTP API and
// SSE stream and report per-turn timings. Used by `npm run bench`; never timed in tests.

export type TurnSample = {
  /** POST of the message → first `text_delta` frame received. */
  ttftMs: number;
  /** POST of the message → `turn_completed` frame received. */
  totalMs: number;
  /** Characters of streamed text. */
  chars: number;
  deltas: number;
  status: string;
  /** `error` events seen during the turn. */
  errors: number;
};

/** Creates a session and returns its id. */
export async function createBenchSession(baseUrl: string, name?: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(name === undefined ? {} : { name }),
  });
  if (response.status >= 300) throw new Error(`POST /api/sessions answered ${response.status}`);
  const body = (await response.json()) as { session: { sessionId: string } };
  return body.session.sessionId;
}

/**
 * Opens the session's SSE stream (live only), sends `text`, and reads frames until the turn's
 * `turn_completed`. The stream is opened before the POST so the first delta is never missed.
 */
export async function driveTurn(options: {
  baseUrl: string;
  sessionId: string;
  text: string;
}): Promise<TurnSample> {
  const controller = new AbortController();
  const events = await fetch(`${options.baseUrl}/api/sessions/${options.sessionId}/events`, {
    signal: controller.signal,
  });
  if (!events.body) throw new Error(`event stream answered ${events.status}`);
  const started = performance.now();
  const sent = await fetch(`${options.baseUrl}/api/sessions/${options.sessionId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: options.text }),
  });
  if (sent.status !== 202) throw new Error(`POST messages answered ${sent.status}`);
  await sent.body?.cancel();
  const sample: TurnSample = {
    ttftMs: Number.NaN,
    totalMs: Number.NaN,
    chars: 0,
    deltas: 0,
    status: "",
    errors: 0,
  };
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of events.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (!type || !data) continue;
        if (type === "text_delta") {
          if (sample.deltas === 0) sample.ttftMs = performance.now() - started;
          sample.deltas += 1;
          sample.chars += (JSON.parse(data) as { text: string }).text.length;
        } else if (type === "error") {
          sample.errors += 1;
        } else if (type === "turn_completed") {
          sample.totalMs = performance.now() - started;
          sample.status = (JSON.parse(data) as { status: string }).status;
          return sample;
        }
      }
    }
    throw new Error("event stream ended before turn_completed");
  } finally {
    controller.abort();
  }
}
