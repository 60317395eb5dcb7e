import type { SessionEvent } from "../../protocol/events.ts";
import { healthStatusSchema } from "../../protocol/health.ts";
import type { CliContext } from "../context.ts";
import { createSessionApi, type SessionApi } from "../session-api.ts";
import { sessionEventStream } from "../sse-client.ts";
import { type ChatFailure, failureOf, reportFailure } from "./chat-failure.ts";
import { createEventRenderer, noColor, PLAIN, type RenderSink } from "./render.ts";
import { openSession } from "./session-ref.ts";

type UsageEvent = Extract<SessionEvent, { type: "usage" }>;
type ToolCall = { callId: string; name: string; arguments: string; result?: string; isError?: boolean };
type TurnError = { code: string; message: string };

/** Tool denials that mean "this needed someone to approve it" (`tool_result.denied`). */
const APPROVAL_DENIALS = new Set(["approval_required_unattended", "approval_declined"]);

export type HeadlessOptions = { prompt: string; resume?: string; json?: boolean };

/** What one headless turn produced, collected from its events. */
type TurnRecord = {
  texts: string[];
  toolCalls: ToolCall[];
  errors: TurnError[];
  usage?: UsageEvent;
  ttftMs?: number;
  status?: string;
};

/**
 * `netclaw chat -p "…"` (or a prompt on stdin): one turn, the answer on stdout, `[tool:call]` and
 * `[tool:result]` lines there too, `[usage]` and `[error] …` on stderr. With `--json` stdout is
 * one JSON object: the result, or `{"type":"error","code","message",…}` on any failure. Exit 0
 * when the turn completed, 1 when it failed, was cancelled, a tool approval was denied, no model
 * is configured or the daemon could not be reached, 2 for a usage error, 130 on Ctrl+C.
 */
export async function runHeadless(context: CliContext, options: HeadlessOptions): Promise<number> {
  const started = performance.now();
  const client = context.client();
  const api = createSessionApi(client);
  const json = options.json === true;
  const sink = createStdSink();

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
    return reportFailure(failureOf(context, error), { json });
  }

  const record: TurnRecord = { texts: [], toolCalls: [], errors: [] };
  const render = createEventRenderer({
    sink: json ? SILENT : sink,
    mode: "headless",
    style: PLAIN,
    // a terminal (or NO_COLOR) never gets control sequences from model or tool text
    stripControl: process.stdout.isTTY === true || noColor(context.env),
  });
  const extra = (): Record<string, unknown> => ({
    sessionId,
    ...resultOf(record, started),
    ...(record.status === undefined ? {} : { status: record.status }),
  });
  // Ctrl+C on a headless run cancels the turn on the daemon too, then exits 130 like a shell would.
  const onSigint = () => {
    void api
      .cancel(sessionId)
      .catch(() => false)
      .finally(() => {
        sink.finish();
        const failure = { code: "cancelled", message: "cancelled", exitCode: 130 };
        process.exit(reportFailure(failure, { json, extra: extra() }));
      });
  };
  process.once("SIGINT", onSigint);
  let streamFailure: ChatFailure | undefined;
  try {
    const token = client.token;
    await followTurn({ api, sessionId, messageId, after, token, sink, render, record, started, quiet: json });
  } catch (error) {
    streamFailure = failureOf(context, error);
  } finally {
    process.off("SIGINT", onSigint);
  }
  sink.finish();
  const failure = streamFailure ?? turnFailure(record, await noModel);
  if (failure) {
    // without --json the turn's own errors were printed as they came
    const shown = !json && streamFailure === undefined && record.errors.length > 0;
    if (json) for (const error of record.errors) sink.error(`[error] ${error.message}`);
    return reportFailure(failure, { json, shown, extra: extra() });
  }
  if (json) process.stdout.write(`${JSON.stringify({ sessionId, ...resultOf(record, started) })}\n`);
  return 0;
}

/** Reads the session's events until the turn that took `messageId` completes, recording it. */
async function followTurn(options: {
  api: SessionApi;
  sessionId: string;
  messageId: string;
  after: number;
  token: string | undefined;
  sink: RenderSink;
  render: (event: SessionEvent) => void;
  record: TurnRecord;
  started: number;
  /** `--json`: the turn's errors are printed after it, not as they come. */
  quiet: boolean;
}): Promise<void> {
  const { api, sessionId, sink, record } = options;
  const controller = new AbortController();
  let inTurn = false;
  try {
    const stream = sessionEventStream({
      url: api.eventsUrl(sessionId),
      token: options.token,
      lastEventId: options.after,
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
      if (event.type === "turn_started" && event.messageIds.includes(options.messageId)) inTurn = true;
      if (!inTurn) continue;
      options.render(event);
      recordEvent(record, event, options.started);
      if (event.type === "tool_result" && event.denied !== undefined && APPROVAL_DENIALS.has(event.denied)) {
        // the turn goes on without the tool, but the run did not do what was asked: exit 1
        const message = `${event.toolName} was denied: it needs an approval, and nobody can give one to a headless run. Grant it beforehand (an "always" answer in \`netclaw chat\`, or \`netclaw approvals trust-verb\`).`;
        if (!options.quiet) sink.error(`[error] ${message}`);
        record.errors.push({ code: "approval_denied", message });
      }
      if (event.type === "approval_requested") {
        // A resumed interactive session asks; headless chat cannot: deny, so the turn goes on.
        // Its tool_result (denied: approval_declined) then fails the run, like the daemon's own
        // refusal in a headless session.
        await api.approve(sessionId, { callId: event.callId, decision: "deny" }).catch(() => {});
      }
      if (event.type === "turn_completed") return;
    }
  } finally {
    controller.abort();
  }
}

function recordEvent(record: TurnRecord, event: SessionEvent, started: number): void {
  switch (event.type) {
    case "text_delta":
    case "text":
      if (record.ttftMs === undefined && event.text !== "")
        record.ttftMs = Math.round(performance.now() - started);
      if (event.type === "text" && event.text !== "") record.texts.push(event.text);
      return;
    case "tool_call":
      record.toolCalls.push({ callId: event.callId, name: event.toolName, arguments: event.argumentsJson });
      return;
    case "tool_result": {
      const call = record.toolCalls.find((c) => c.callId === event.callId);
      if (call) Object.assign(call, { result: event.result, isError: event.isError });
      return;
    }
    case "usage":
      record.usage = event;
      return;
    case "error":
      record.errors.push({ code: event.code, message: event.errorMessage });
      return;
    case "turn_completed":
      record.status = event.status;
      return;
    default:
      return;
  }
}

/** Why the turn counts as failed, or undefined when it completed cleanly. */
function turnFailure(record: TurnRecord, noModel: boolean): ChatFailure | undefined {
  if (noModel) {
    return {
      code: "no_model",
      message:
        "no model is configured, so the daemon answered with its notice; fix: run `netclaw init` or `netclaw model set main <provider> <model-id>`",
      exitCode: 1,
    };
  }
  const first = record.errors[0];
  if (record.status === "completed" && first === undefined) return undefined;
  const status = record.status ?? "incomplete";
  return {
    code: first?.code ?? `turn_${status}`,
    message: record.errors.map((e) => e.message).join("; ") || `the turn ended ${status}`,
    exitCode: 1,
  };
}

/** The `--json` result fields (also carried by a failure's JSON object). */
function resultOf(record: TurnRecord, started: number) {
  return {
    response: record.texts.join("\n"),
    toolCalls: record.toolCalls,
    usage: record.usage ? usageSummary(record.usage) : null,
    ttftMs: record.ttftMs ?? null,
    totalMs: Math.round(performance.now() - started),
  };
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
