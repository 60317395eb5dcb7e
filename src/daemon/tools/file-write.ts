import { dirname } from "node:path";
import { z } from "zod";
import { errorText, resolveToolPath, writeTextAtomic } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

const parameters = z.object({
  Path: z.string().min(1).describe("File to write, absolute or relative to the working directory."),
  Content: z
    .string()
    .max(10 * 1024 * 1024)
    .describe("The complete new content of the file."),
});

/**
 * `file_write`: replaces (or creates) a whole file, creating missing parent directories. Atomic
 * (temp file + rename) and serialised per path, so parallel calls never interleave.
 */
export const fileWriteTool = defineTool({
  name: "file_write",
  description:
    "Write a whole file (created if missing, replaced if present). Parent directories are created.",
  parameters,
  paths: (args) => [{ path: args.Path, access: "write" }],
  async execute(args, ctx) {
    const path = resolveToolPath(ctx.workingDirectory, args.Path);
    return ctx.ops.lock(path, async () => {
      let existed = false;
      try {
        const info = await ctx.ops.fs.stat(path);
        if (info.isDirectory()) return fail(`${path} is a directory; give a file path.`);
        existed = true;
      } catch {
        // new file
      }
      try {
        await ctx.ops.fs.mkdir(dirname(path), { recursive: true });
        await writeTextAtomic({ ops: ctx.ops, path, content: args.Content });
      } catch (error) {
        return fail(`Cannot write ${path}: it ${errorText(error)}.`);
      }
      const bytes = Buffer.byteLength(args.Content);
      return ok(`${existed ? "Replaced" : "Created"} ${path} (${bytes} bytes).`);
    });
  },
});
