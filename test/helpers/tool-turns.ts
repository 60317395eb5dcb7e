import type { SessionEvent } from "../../src/protocol/events.ts";
import { createFakeUpstream, type FakeUpstream } from "../fakes/llm-upstream.ts";
import type { ToolCallSpec } from "../fakes/reply.ts";
import { callKind, fakeModelEnv } from "./model-env.ts";
import { type RunningDaemon, startDaemon } from "./processes.ts";
import { apiClient, openEventStream } from "./sse-client.ts";

export type ApprovalEvent = Extract<SessionEvent, { type: "approval_requested" }>;
export type ResultEvent = Extract<SessionEvent, { type: "tool_result" }>;

/**
 * A fake model that requests tools: a user message `script:<key>` makes it answer with the tool
 * calls registered under `<key>`; once the conversation ends with tool results it says "done".
 */
export async function createToolModel() {
  const scripts = new Map<string, ToolCallSpec[]>();
  let n = 0;
  const upstream: FakeUpstream = await createFakeUpstream({
    handler: (request) => {
      if (callKind(request) !== "turn") return { text: "Tool Work" };
      if (request.endsWithToolResult) return { text: "done" };
      const calls = scripts.get(request.lastUserText ?? "");
      return calls ? { toolCalls: calls } : { text: "nothing to do" };
    },
  });
  return {
    upstream,
    /** Registers calls (ids made unique) and returns the message text that triggers them. */
    script(calls: { name: string; arguments: Record<string, unknown>; id?: string }[]): string {
      n += 1;
      const text = `script:${n}`;
      scripts.set(
        text,
        calls.map((call, i) => ({ ...call, id: call.id ?? `call_${n}_${i}` })),
      );
      return text;
    },
  };
}

export type ToolModel = Awaited<ReturnType<typeof createToolModel>>;

/** A daemon on `home` whose Main model is the tool model; Personal posture unless `extra` says otherwise. */
export function startToolDaemon(options: { home: string; model: ToolModel; extra?: Record<string, string> }) {
  return startDaemon({
    env: fakeModelEnv({
      home: options.home,
      upstream: options.model.upstream,
      extra: { NETCLAW_Security__DeploymentPosture: "Personal", ...options.extra },
    }),
  });
}

/**
 * Sends `text` to the session and collects its events until the turn completes. `onApproval`
 * answers each prompt (its return value is posted as the decision; undefined leaves it waiting).
 * Resolves with every event seen and the HTTP responses of the answers.
 */
export async function runToolTurn(options: {
  daemon: RunningDaemon;
  sessionId: string;
  text: string;
  onApproval?: (event: ApprovalEvent) => string | undefined;
  until?: (event: SessionEvent) => boolean;
}) {
  const api = apiClient(options.daemon.url);
  const existing = await api.transcript(options.sessionId);
  const last = existing.at(-1)?.id ?? 0;
  const stream = await openEventStream({
    url: `${options.daemon.url}/api/sessions/${options.sessionId}/events`,
    lastEventId: last,
  });
  const answers: { status: number; body: unknown }[] = [];
  const sent = await api.send(options.sessionId, options.text);
  if (sent.status !== 202) throw new Error(`send failed: ${JSON.stringify(sent.body)}`);
  const seen = await stream.until((event) => {
    if (event.type === "approval_requested" && options.onApproval) {
      const decision = options.onApproval(event);
      if (decision !== undefined)
        void api
          .call("POST", `/api/sessions/${options.sessionId}/approvals/${event.callId}`, { decision })
          .then((r) => answers.push(r));
    }
    return options.until ? options.until(event) : event.type === "turn_completed";
  });
  await stream.close();
  const results = seen.filter((e): e is ResultEvent => e.type === "tool_result");
  const approvals = seen.filter((e): e is ApprovalEvent => e.type === "approval_requested");
  return { seen, results, approvals, answers };
}

/** The result of the call with `callId`, or a failure naming what was seen. */
export function resultOf(results: ResultEvent[], callId: string): ResultEvent {
  const found = results.find((r) => r.callId === callId);
  if (!found) throw new Error(`no result for ${callId}: ${JSON.stringify(results)}`);
  return found;
}
