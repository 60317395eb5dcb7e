import { join } from "node:path";
import { z } from "zod";
import { errorText, resolveToolPath } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

/** Project instruction files, first found wins (reference/agent.md §5). */
export const PROJECT_INSTRUCTION_FILES = [".netclaw/AGENTS.md", "CLAUDE.md", "AGENTS.md", "CONTEXT.md"];
const MAX_INSTRUCTION_CHARS = 64 * 1024;

const parameters = z.object({
  Path: z.string().min(1).describe("Project directory to work in."),
});

/**
 * `set_working_directory`: makes a directory the project root — relative paths and shell commands
 * start there — and loads its instructions file for the prompt. The loop applies
 * `effects.workingDirectory` and rebuilds the prompt.
 */
export const setWorkingDirectoryTool = defineTool({
  name: "set_working_directory",
  description:
    "Set the project directory: later relative paths and commands start there, and the project's instructions (.netclaw/AGENTS.md, CLAUDE.md, AGENTS.md or CONTEXT.md) are loaded.",
  parameters,
  paths: (args) => [{ path: args.Path, access: "cwd" }],
  async execute(args, ctx) {
    const requested = resolveToolPath(ctx.workingDirectory, args.Path);
    let path: string;
    try {
      path = await ctx.ops.fs.realpath(requested);
      if (!(await ctx.ops.fs.stat(path)).isDirectory()) return fail(`${requested} is not a directory.`);
    } catch (error) {
      return fail(`Cannot use ${requested}: it ${errorText(error)}.`);
    }
    for (const name of PROJECT_INSTRUCTION_FILES) {
      let text: string;
      try {
        const file = join(path, name);
        // Only a regular file inside the project: a symlinked AGENTS.md cannot pull in other files.
        if (!(await ctx.ops.fs.lstat(file)).isFile()) continue;
        text = await ctx.ops.fs.readFile(file, "utf8");
      } catch {
        continue;
      }
      const instructions =
        text.length > MAX_INSTRUCTION_CHARS
          ? `${text.slice(0, MAX_INSTRUCTION_CHARS)}\n[… instructions cut]`
          : text;
      return ok(`Working directory set to ${path}. Loaded project instructions from ${name}.`, {
        workingDirectory: { path, instructionsFile: name, instructions },
      });
    }
    return ok(`Working directory set to ${path}. No project instructions file found.`, {
      workingDirectory: { path },
    });
  },
});
