import type { SessionEvent } from "../../protocol/events.ts";
import { healthStatusSchema } from "../../protocol/health.ts";
import type { CliContext } from "../context.ts";
import { createSessionApi } from "../session-api.ts";
import { sessionEventStream } from "../sse-client.ts";
import { createEventRenderer, PLAIN, type RenderSink } from "./render.ts";
import { describeFailure, openSession } from "./session-ref.ts";

type UsageEvent = Extract<SessionEvent, { type: "usage" }>;
type ToolCall = { callId: string; name: string; arguments: string; result?: string; isError?: boolean };

export type HeadlessOptions = { prompt: string; resume?: string; json?: boolean };

/**
 * `netclaw chat -p "…"` (or a prompt on stdin): one turn, answer on stdout, `[tool:call]`,
 * `[tool:result]` and `[usage]` lines, `[error] …` on stderr. Exit 0 when the turn completed, 1
 * when it failed, was cancelled, or the daemon could not be reached.
 */
export async function runHeadless(context: CliContext, options: HeadlessOptions): Promise<number> {
  const started = performance.now();
  const client = context.client();
  const api = createSessionApi(client);
  const sink = createStdSink();
  const fail = (message: string) => {
    sink.error(`[error] ${message}`);
    return 1;
  };

  // Without a model the daemon answers every turn with a notice; print it, but fail (exit 1).
  const noModel = client
    .get("/api/health/status")
    .then((body) => healthStatusSchema.parse(body).model.state === "none")
    .catch(() => false);
  let sessionId: string;
  let messageId: string;
  let after: number;
  try {
    const { session } = await openSession(api, { resume: options.resume, channel: "headless" });
    sessionId = session.sessionId;
    const sent = await api.send(sessionId, { text: options.prompt, attempts: 3 });
    messageId = sent.messageId;
    after = sent.eventId;
  } catch (error) {
    return fail(describeFailure(context, error));
  }

  const render = createEventRenderer({ sink: options.json ? SILENT : sink, mode: "headless", style: PLAIN });
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const errors: string[] = [];
  let usage: UsageEvent | undefined;
  let ttftMs: number | undefined;
  let status: string | undefined;
  let inTurn = false;

  const controller = new AbortController();
  // Ctrl+C on a headless run cancels the turn on the daemon too, then exits 130 like a shell would.
  const onSigint = () => {
    void api
      .cancel(sessionId)
      .catch(() => false)
      .finally(() => {
        sink.finish();
        sink.error("[error] cancelled");
        process.exit(130);
      });
  };
  process.once("SIGINT", onSigint);
  try {
    const stream = sessionEventStream({
      url: api.eventsUrl(sessionId),
      token: client.token,
      expectHome: client.expectHome,
      lastEventId: after,
      signal: controller.signal,
      maxAttempts: 4,
    });
    for await (const item of stream) {
      if (item.kind === "disconnected") {
        sink.error(`[error] lost the daemon (${item.reason}); reconnecting in ${item.retryInMs / 1000} s`);
        continue;
      }
      if (item.kind === "invalid") {
        sink.error(`[error] ignored an event: ${item.reason}`);
        continue;
      }
      if (item.kind !== "event") continue;
      const event = item.event;
      if (event.type === "turn_started" && event.messageIds.includes(messageId)) inTurn = true;
      if (!inTurn) continue;
      if (
        (event.type === "text_delta" || event.type === "text") &&
        ttftMs === undefined &&
        event.text !== ""
      ) {
        ttftMs = Math.round(performance.now() - started);
      }
      render(event);
      if (event.type === "text" && event.text !== "") texts.push(event.text);
      if (event.type === "tool_call") {
        toolCalls.push({ callId: event.callId, name: event.toolName, arguments: event.argumentsJson });
      }
      if (event.type === "tool_result") {
        const call = toolCalls.find((c) => c.callId === event.callId);
        if (call) Object.assign(call, { result: event.result, isError: event.isError });
      }
      if (event.type === "usage") usage = event;
      if (event.type === "error") errors.push(event.errorMessage);
      if (event.type === "approval_requested") {
        // Headless sessions cannot ask anyone: deny, so the turn goes on (the daemon also auto-denies).
        sink.error(`[error] ${event.toolName} needs approval, which headless chat cannot give: denied`);
        await api.approve(sessionId, { callId: event.callId, decision: "deny" }).catch(() => {});
      }
      if (event.type === "turn_completed") {
        status = event.status;
        break;
      }
    }
  } catch (error) {
    sink.finish();
    return fail(describeFailure(context, error));
  } finally {
    controller.abort();
    process.off("SIGINT", onSigint);
  }
  sink.finish();
  const totalMs = Math.round(performance.now() - started);
  if (options.json) {
    const result = {
      sessionId,
      response: texts.join("\n"),
      toolCalls,
      usage: usage ? usageSummary(usage) : null,
      ttftMs: ttftMs ?? null,
      totalMs,
      ...(status === "completed" ? {} : { status }),
      ...(errors.length > 0 ? { errors } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    for (const message of errors) sink.error(`[error] ${message}`);
  }
  if (await noModel) return 1;
  if (status !== "completed") {
    if (errors.length === 0) sink.error(`[error] the turn ended ${status ?? "without completing"}`);
    return 1;
  }
  return errors.length > 0 ? 1 : 0;
}

/** stdout/stderr that remember whether stdout ends mid-line, so `[tool:…]` lines start fresh. */
function createStdSink(): RenderSink & { finish(): void } {
  let midLine = false;
  const out = (text: string) => {
    if (text === "") return;
    process.stdout.write(text);
    midLine = !text.endsWith("\n");
  };
  return {
    text: out,
    line(text) {
      if (midLine) out("\n");
      out(`${text}\n`);
    },
    error(text) {
      process.stderr.write(`${text}\n`);
    },
    finish() {
      if (midLine) out("\n");
    },
  };
}

/** For `--json`: nothing on stdout but the JSON; errors are printed after it. */
const SILENT: RenderSink = { text: () => {}, line: () => {}, error: () => {} };

function usageSummary(usage: UsageEvent) {
  const { inputTokens, outputTokens, totalTokens, contextWindowTokens, usagePercent, provider, modelId } =
    usage;
  return { inputTokens, outputTokens, totalTokens, contextWindowTokens, usagePercent, provider, modelId };
}
