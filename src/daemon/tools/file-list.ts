import { join } from "node:path";
import { z } from "zod";
import { errorText, resolveToolPath } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

export const MAX_LIST_ENTRIES = 1000;

const parameters = z.object({
  Path: z.string().min(1).default(".").describe("Directory to list (default: the working directory)."),
});

/** `file_list`: one level of a directory, sorted, at most 1000 entries. Symlinks are not followed. */
export const fileListTool = defineTool({
  name: "file_list",
  description: `List one directory level: directories end with '/', files show their size, symlinks their target. At most ${MAX_LIST_ENTRIES} entries.`,
  parameters,
  paths: (args) => [{ path: args.Path, access: "read" }],
  async execute(args, ctx) {
    const dir = resolveToolPath(ctx.workingDirectory, args.Path);
    let entries: import("node:fs").Dirent[];
    try {
      entries = await ctx.ops.fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      return fail(`Cannot list ${dir}: it ${errorText(error)}.`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const shown = entries.slice(0, MAX_LIST_ENTRIES);
    const lines: string[] = [];
    for (const entry of shown) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) lines.push(`${entry.name}/`);
      else if (entry.isSymbolicLink()) {
        lines.push(`${entry.name} -> ${await ctx.ops.fs.readlink(full).catch(() => "?")}`);
      } else if (entry.isFile()) {
        const size = await ctx.ops.fs.lstat(full).then(
          (s) => s.size,
          () => 0,
        );
        lines.push(`${entry.name}  ${size} B`);
      } else lines.push(`${entry.name}  (special)`);
    }
    const header = `${dir}: ${entries.length} ${entries.length === 1 ? "entry" : "entries"}`;
    const more =
      entries.length > shown.length ? `\n[… ${entries.length - shown.length} more entries not shown]` : "";
    return ok(entries.length === 0 ? `${dir} is empty.` : `${header}\n${lines.join("\n")}${more}`);
  },
});
