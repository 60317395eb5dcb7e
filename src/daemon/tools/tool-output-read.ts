import { z } from "zod";
import { spillPath } from "./output-bound.ts";
import { defineTool, fail, ok } from "./tool.ts";

const MAX_WINDOW = 24_000;

const parameters = z.object({
  CallId: z.string().min(1).max(128).describe("The call id named in a cut tool result."),
  Start: z.int().min(0).default(0).describe("Character offset to start at."),
  Limit: z.int().min(1).max(MAX_WINDOW).default(16_000).describe("Number of characters to return."),
});

/** `tool_output_read`: a window of a tool result that was too long and was saved in full. */
export const toolOutputReadTool = defineTool({
  name: "tool_output_read",
  description:
    "Read part of a long tool output that was cut. Give the CallId from the cut result and a character window (Start, Limit).",
  parameters,
  async execute(args, ctx) {
    const path = spillPath(ctx.sessionDir, args.CallId);
    if (!path) return fail(`"${args.CallId}" is not a valid call id.`);
    let text: string;
    try {
      text = await ctx.ops.fs.readFile(path, "utf8");
    } catch {
      return fail(`No saved output for call id "${args.CallId}" in this session.`);
    }
    if (args.Start >= text.length)
      return fail(`Start ${args.Start} is past the end (${text.length} characters).`);
    const end = Math.min(text.length, args.Start + args.Limit);
    const more = end < text.length ? `; next Start=${end}` : "; end of output";
    return ok(`${text.slice(args.Start, end)}\n[characters ${args.Start}–${end} of ${text.length}${more}]`);
  },
});
