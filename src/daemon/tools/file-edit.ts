import { z } from "zod";
import { errorText, resolveToolPath, writeTextAtomic } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

const parameters = z.object({
  Path: z.string().min(1).describe("File to edit."),
  OldString: z.string().min(1).describe("Exact text to replace, including whitespace and indentation."),
  NewString: z.string().describe("Replacement text."),
  ReplaceAll: z
    .boolean()
    .default(false)
    .describe("Replace every occurrence instead of requiring exactly one."),
});

/**
 * `file_edit`: exact string replacement. Without ReplaceAll, OldString must occur exactly once,
 * so the model cannot silently edit the wrong place. Read-modify-write holds the path's lock.
 */
export const fileEditTool = defineTool({
  name: "file_edit",
  description:
    "Replace exact text in a file. OldString must match exactly once unless ReplaceAll is true; include enough surrounding lines to make it unique.",
  parameters,
  paths: (args) => [{ path: args.Path, access: "write" }],
  async execute(args, ctx) {
    const path = resolveToolPath(ctx.workingDirectory, args.Path);
    if (args.OldString === args.NewString)
      return fail("OldString and NewString are identical; nothing to change.");
    return ctx.ops.lock(path, async () => {
      let text: string;
      try {
        text = await ctx.ops.fs.readFile(path, "utf8");
      } catch (error) {
        return fail(`Cannot edit ${path}: it ${errorText(error)}.`);
      }
      const parts = text.split(args.OldString);
      const count = parts.length - 1;
      if (count === 0) {
        return fail(
          `OldString was not found in ${path}. Read the file and copy the exact text, including whitespace and line breaks.`,
        );
      }
      if (count > 1 && !args.ReplaceAll) {
        return fail(
          `OldString occurs ${count} times in ${path}. Include more surrounding text to make it unique, or set ReplaceAll to true.`,
        );
      }
      try {
        await writeTextAtomic({ ops: ctx.ops, path, content: parts.join(args.NewString) });
      } catch (error) {
        return fail(`Cannot write ${path}: it ${errorText(error)}.`);
      }
      return ok(`Edited ${path}: replaced ${count} occurrence${count === 1 ? "" : "s"}.`);
    });
  },
});
