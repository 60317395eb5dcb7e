import type { z } from "zod";
import type { ToolDefinition } from "../llm/model-client.ts";
import { parseToolArgs, type Tool as RunnerTool, toolDefinition } from "../tools/tool.ts";
import { CANCELLED_TOOL_RESULT, type ToolDispatcher, type TurnPrincipal } from "./tool-dispatcher.ts";

/** The result shape every tool family returns (built-in, reminder, memory and MCP tools). */
export type ExtraToolResult = { content: string; isError: boolean };

/**
 * A tool that enforces its own audience rules (memory, reminders): the model sees `definition`,
 * `execute` gets the raw arguments.
 */
export type ExtraTool = {
  definition: ToolDefinition;
  execute(args: unknown, context: { signal: AbortSignal; sessionId: string }): Promise<ExtraToolResult>;
};

/** Tools described by a zod object (reminder and memory tools share this shape with src/daemon/tools). */
export type ZodTool = {
  name: string;
  description: string;
  parameters: z.ZodObject;
  // biome-ignore lint/suspicious/noExplicitAny: each tool narrows its own argument type
  execute(args: any, ctx: { signal: AbortSignal }): Promise<ExtraToolResult>;
};

/** Adapts a zod-described tool: arguments are validated (case-insensitive keys) before it runs. */
export function fromZodTool(tool: ZodTool): ExtraTool {
  const asRunnerTool = tool as unknown as RunnerTool;
  return {
    definition: toolDefinition(asRunnerTool),
    async execute(raw, context) {
      const parsed = parseToolArgs(asRunnerTool, raw);
      if (!parsed.ok) return { content: parsed.result.content, isError: true };
      return tool.execute(parsed.args, { signal: context.signal });
    },
  };
}

/**
 * One dispatcher over a base dispatcher (the built-in and MCP tools and their policy) and extra
 * tools (memory, reminders). A name the base already offers stays the base's; extras never throw
 * out of `dispatch`: a failure becomes an error result the model can read.
 */
export function composeDispatcher(options: {
  base: ToolDispatcher;
  /** The extra tools of a turn (they depend on its audience, which a reminder's turn lowers). */
  extras: (turn: TurnPrincipal) => readonly ExtraTool[];
}): ToolDispatcher {
  const { base } = options;
  // The base's redactor (configured secret values and secret-shaped text) covers the extras'
  // output too: a memory or reminder listing must not hand the model a credential.
  const redactText = base.redactArguments ?? ((text: string) => text);
  return {
    ...base, // the base's own hooks: argument redaction, prompt addendum, approval resume
    definitions(turn = {}) {
      const own = base.definitions(turn);
      const taken = new Set(own.map((definition) => definition.name));
      return [
        ...own,
        ...options
          .extras(turn)
          .map((t) => t.definition)
          .filter((d) => !taken.has(d.name)),
      ];
    },
    async dispatch(call, context) {
      const turn = { requester: context.requester };
      const extra = options.extras(turn).find((tool) => tool.definition.name === call.name);
      if (!extra || base.definitions(turn).some((definition) => definition.name === call.name))
        return base.dispatch(call, context);
      if (context.signal.aborted) return { result: CANCELLED_TOOL_RESULT, isError: true };
      try {
        const outcome = await extra.execute(call.arguments, {
          signal: context.signal,
          sessionId: context.sessionId,
        });
        return { result: redactText(outcome.content), isError: outcome.isError };
      } catch (error) {
        if (context.signal.aborted) return { result: CANCELLED_TOOL_RESULT, isError: true };
        return { result: `Tool '${call.name}' failed: ${(error as Error).message}`, isError: true };
      }
    },
  };
}
