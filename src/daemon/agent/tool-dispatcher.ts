import type { ApprovalOption } from "../../protocol/events.ts";
import type { ToolCallRequest, ToolDefinition } from "../llm/model-client.ts";

export type ToolResult = {
  result: string;
  isError: boolean;
  /**
   * The call was waiting for an approval when the daemon shut down: no result is recorded, the
   * approval stays journaled and the call runs again after the restart.
   */
  deferred?: boolean;
  /** A file to hand to the user (attach_file): recorded as an `attachment` event. */
  attachment?: { path: string; displayName: string; sizeBytes: number };
  /** Policy refused the call, for this reason (recorded on the `tool_result` event). */
  denied?: string;
};

/** A tool: data the model sees plus `execute`. Real tools arrive with the tools issue. */
export type Tool = {
  definition: ToolDefinition;
  execute(args: unknown, context: { signal: AbortSignal; sessionId: string }): Promise<string>;
};

/** Who a turn acts for (`local`, `device:<name>`, `reminder:<id>`; see sessions/requester.ts). */
export type TurnPrincipal = { requester?: string | undefined };

/** What a `beforeToolCall` hook may ask of the session (the approval flow plugs in here). */
export type ToolCallContext = {
  sessionId: string;
  signal: AbortSignal;
  /** Publishes `approval_requested` to the session's subscribers. */
  requestApproval(request: { summary: string; options: ApprovalOption[] }): void;
  /** Publishes `approval_resolved` once the requester answered. */
  resolveApproval?(decision: ApprovalOption): void;
  /** Who sent the messages of this turn (`local` or `device:<name>`): the only one who may answer. */
  requester?: string;
};

/** Decides whether a call may run; `block` becomes the error result the model sees. */
export type BeforeToolCall = (call: ToolCallRequest, context: ToolCallContext) => Promise<{ block?: string }>;

/** The single path every tool call takes (ARCHITECTURE.md §3: exposure → policy → run). */
export type ToolDispatcher = {
  /** The tools offered to the model for a request of the turn `turn.requester` sent. */
  definitions(turn?: TurnPrincipal): ToolDefinition[];
  /** Never throws: failures, blocks, unknown tools and aborts come back as `isError` results. */
  dispatch(call: ToolCallRequest, context: ToolCallContext): Promise<ToolResult>;
  /** Redacts the arguments JSON shown in `tool_call` / `approval_requested` events. */
  redactArguments?(json: string): string;
  /** Extra system-prompt text of this session (project instructions after set_working_directory). */
  promptAddendum?(): string | undefined;
  /** Calls whose approval was pending when the daemon stopped (journaled), to run again on load. */
  resumable?(): { call: ToolCallRequest; requester: string }[];
  /** A new message supersedes the prompts still waiting: they are denied and the turn goes on. */
  supersedeApprovals?(): void;
};

export const CANCELLED_TOOL_RESULT = "Tool call cancelled before it finished.";

export function createToolDispatcher(options: {
  tools: Tool[];
  beforeToolCall?: BeforeToolCall;
}): ToolDispatcher {
  const byName = new Map(options.tools.map((tool) => [tool.definition.name, tool]));
  const definitions = options.tools.map((tool) => tool.definition);
  return {
    definitions: () => definitions,
    async dispatch(call, context) {
      const tool = byName.get(call.name);
      if (!tool) {
        const known = [...byName.keys()].join(", ") || "none";
        return { result: `Unknown tool '${call.name}'. Available tools: ${known}.`, isError: true };
      }
      if (context.signal.aborted) return { result: CANCELLED_TOOL_RESULT, isError: true };
      try {
        const verdict = (await options.beforeToolCall?.(call, context)) ?? {};
        if (verdict.block !== undefined) return { result: verdict.block, isError: true };
        const result = await tool.execute(call.arguments, {
          signal: context.signal,
          sessionId: context.sessionId,
        });
        return { result, isError: false };
      } catch (error) {
        if (context.signal.aborted) return { result: CANCELLED_TOOL_RESULT, isError: true };
        return { result: `Tool '${call.name}' failed: ${(error as Error).message}`, isError: true };
      }
    },
  };
}
