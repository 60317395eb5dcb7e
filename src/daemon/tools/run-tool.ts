import { boundOutput, DEFAULT_MAX_OUTPUT_CHARS } from "./output-bound.ts";
import { redact } from "./policy/redaction.ts";
import { fail, parseToolArgs, type Tool, type ToolContext, type ToolResult } from "./tool.ts";

/**
 * Runs one tool call after the policy allowed it: validate → execute → redact → bound/spill.
 * Never throws: bad arguments, exceptions and cancellation all come back as an error result the
 * model can read. `redactText` defaults to the pattern redactor; the daemon passes one that also
 * knows its configured secret values.
 */
export async function runTool(options: {
  tool: Tool;
  rawArgs: unknown;
  ctx: ToolContext;
  maxOutputChars?: number;
  redactText?: (text: string) => string;
}): Promise<ToolResult> {
  const { tool, ctx } = options;
  const redactText = options.redactText ?? redact;
  const parsed = parseToolArgs(tool, options.rawArgs);
  let result: ToolResult;
  if (!parsed.ok) result = parsed.result;
  else if (ctx.signal.aborted) result = fail(`${tool.name} was cancelled before it started.`);
  else {
    try {
      result = await tool.execute(parsed.args, ctx);
    } catch (error) {
      result = fail(`${tool.name} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  const content = await boundOutput({
    text: redactText(result.content),
    maxChars: options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS,
    callId: ctx.callId,
    sessionDir: ctx.sessionDir,
    ops: ctx.ops,
  });
  return { ...result, content };
}
