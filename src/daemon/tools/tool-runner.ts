import { createHash } from "node:crypto";
import type { ApprovalOption } from "../../protocol/events.ts";
import type { ToolOperations } from "./operations.ts";
import type { Audience } from "./policy/audience.ts";
import type { ToolPolicy } from "./policy/evaluate.ts";
import { internalHostReason } from "./policy/network-policy.ts";
import { runTool } from "./run-tool.ts";
import { DEFAULT_TOOL_TIMEOUT_MS } from "./shell-execute.ts";
import { parseToolArgs, type Tool, type ToolEffects, toolDefinition } from "./tool.ts";

/** What the runner needs to know about the session a call belongs to. */
export type ToolSession = {
  sessionId: string;
  audience: Audience;
  sessionDir: string;
  /** Project directory (set_working_directory), else the session directory. */
  workingDirectory: string;
  /** Nobody can answer an approval prompt (headless `-p`, reminders, webhooks). */
  unattended: boolean;
};

export type ToolCall = { id: string; name: string; arguments: unknown };

export type ToolRunContext = {
  session: ToolSession;
  signal: AbortSignal;
  /**
   * Publishes `approval_requested` and resolves with the requester's answer (or `deny` when the
   * prompt could not be shown). Only this call waits; the other calls of the turn go on.
   */
  requestApproval(request: { summary: string; options: ApprovalOption[] }): Promise<ApprovalOption>;
  onUpdate?: (text: string) => void;
};

export type ToolRunResult = {
  result: string;
  isError: boolean;
  effects?: ToolEffects;
  /** Set when policy refused the call: the decision's reason (`approval_required_unattended`, `hard_deny`…). */
  denied?: string;
};

/** Meta arguments every schema carries for the loop (reference/agent.md §2); stripped before a tool sees them. */
const META_KEYS = ["_rationale", "_timeout_seconds", "_background"];

/**
 * The one path a model's tool call takes once the loop has it: visibility → argument validation →
 * policy → approval prompt if needed → run with timeout → redact → bound/spill. Never throws.
 * Safe to call concurrently for every call of a response.
 */
export function createToolRunner(options: {
  tools: Map<string, Tool>;
  /**
   * Tools that come and go (an MCP server's listing, read on every call): they take the same
   * path as the built-in ones. A name the built-in set already has stays the built-in's.
   */
  moreTools?: () => Iterable<Tool>;
  policy: ToolPolicy;
  ops: ToolOperations;
  /** `Tools.MaxOutputChars`. */
  maxOutputChars: number;
  /** `Session.ToolExecutionTimeoutSeconds`. */
  timeoutSeconds?: number;
  /** `Tools.MaxToolTimeoutSeconds`: the cap for a call's `_timeout_seconds`. */
  maxTimeoutSeconds?: number;
  redactText?: (text: string) => string;
  /** Audit trail of executions (`Tool executed: …`); decisions are audited by the policy. */
  audit?: (entry: {
    tool: string;
    callId: string;
    sessionId: string;
    isError: boolean;
    durationMs: number;
    approval?: string;
  }) => void;
}) {
  const defaultMs = (options.timeoutSeconds ?? DEFAULT_TOOL_TIMEOUT_MS / 1000) * 1000;
  const maxMs = (options.maxTimeoutSeconds ?? 600) * 1000;
  const allTools = (): Tool[] => {
    const builtIn = [...options.tools.values()];
    if (!options.moreTools) return builtIn;
    return [...builtIn, ...[...options.moreTools()].filter((tool) => !options.tools.has(tool.name))];
  };
  const visible = (session: Pick<ToolSession, "audience" | "sessionDir">) =>
    options.policy.visibleTools(session.audience, session.sessionDir, allTools());

  return {
    /** The tool definitions to send to the model for this audience (invisible tools left out). */
    definitions(session: Pick<ToolSession, "audience" | "sessionDir">) {
      return visible(session).map(toolDefinition);
    },

    async run(call: ToolCall, context: ToolRunContext): Promise<ToolRunResult> {
      const { session } = context;
      const tool = visible(session).find((candidate) => candidate.name === call.name);
      if (!tool) {
        const known =
          visible(session)
            .map((t) => t.name)
            .join(", ") || "none";
        return { result: `Unknown tool '${call.name}'. Available tools: ${known}.`, isError: true };
      }
      const raw = parseToolArgs({ ...tool, parameters: tool.parameters.loose() }, call.arguments);
      if (!raw.ok) return { result: raw.result.content, isError: true };
      const requested = Number(raw.args._timeout_seconds);
      const timeoutMs =
        Number.isFinite(requested) && requested * 1000 > defaultMs
          ? Math.min(requested * 1000, maxMs)
          : defaultMs;
      const args = Object.fromEntries(Object.entries(raw.args).filter(([key]) => !META_KEYS.includes(key)));
      const parsed = parseToolArgs(tool, args);
      if (!parsed.ok) return { result: parsed.result.content, isError: true };
      const decision = await options.policy.evaluateToolCall({ tool, args: parsed.args, ...session });
      let label: string | undefined;
      if (decision.outcome === "denied")
        return { result: decision.message, isError: true, denied: decision.reason };
      if (decision.outcome === "requires_approval") {
        let answer: ApprovalOption;
        try {
          answer = await context.requestApproval({ summary: decision.summary, options: decision.options });
        } catch {
          answer = "deny";
        }
        if (answer === "deny" || !decision.options.includes(answer)) {
          return {
            result: `Tool access denied: the user declined ${tool.name}.`,
            isError: true,
            denied: "approval_declined",
          };
        }
        const recorded = options.policy.recordApproval({
          request: decision.request,
          offered: decision.options,
          option: answer,
        });
        if (!recorded.ok) return { result: `Tool access denied: ${recorded.message}`, isError: true };
        label = recorded.label;
        // Re-checked at launch: a grant file that changed while we waited must not widen anything.
        const again = await options.policy.evaluateToolCall({ tool, args: parsed.args, ...session });
        if (again.outcome === "denied") return { result: again.message, isError: true, denied: again.reason };
      }
      if (context.signal.aborted) return { result: "Tool call cancelled before it started.", isError: true };
      const started = performance.now();
      const result = await runTool({
        tool,
        rawArgs: parsed.args,
        maxOutputChars: options.maxOutputChars,
        redactText: options.redactText,
        ctx: {
          signal: context.signal,
          sessionDir: session.sessionDir,
          workingDirectory: session.workingDirectory,
          onUpdate: context.onUpdate ?? (() => {}),
          ops: options.ops,
          callId: fileSafeCallId(call.id),
          timeoutMs,
          canRead: options.policy.readFilter(session.audience, session.sessionDir),
          ...(session.audience === "Personal"
            ? {}
            : { blockUrl: (url: URL) => internalHostReason(url.href) }),
        },
      });
      options.audit?.({
        tool: tool.name,
        callId: call.id,
        sessionId: session.sessionId,
        isError: result.isError,
        durationMs: Math.round(performance.now() - started),
        ...(label ? { approval: label } : {}),
      });
      const content = label ? `${result.content}\n[approval: ${label}]` : result.content;
      return {
        result: content,
        isError: result.isError,
        ...(result.effects ? { effects: result.effects } : {}),
      };
    },
  };
}

export type ToolRunner = ReturnType<typeof createToolRunner>;

/** Vendor call ids name spill files; one that is not a plain token is replaced by a stable hash. */
function fileSafeCallId(id: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(id)
    ? id
    : `call_${createHash("sha256").update(id).digest("hex").slice(0, 24)}`;
}
