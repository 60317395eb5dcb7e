import { join, relative } from "node:path";
import { z } from "zod";
import { errorText, looksBinary, resolveToolPath } from "./paths.ts";
import { defineTool, fail, ok, type ToolContext } from "./tool.ts";

const SKIPPED_DIRS = new Set([".git", "node_modules", ".hg", ".svn"]);
const MAX_LINE_CHARS = 300;

const parameters = z.object({
  Root: z.string().min(1).default(".").describe("Directory to search recursively."),
  Query: z.string().min(1).max(1000).describe("Literal text to find (not a pattern)."),
  Mode: z.enum(["name", "content"]).default("content").describe("Match file names or file contents."),
  MaxResults: z.int().min(1).max(500).default(50),
  MaxFiles: z.int().min(1).max(50_000).default(10_000).describe("Stop after visiting this many files."),
  MaxContentBytes: z
    .int()
    .min(1)
    .max(10 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("Only this many bytes of each file are searched."),
});

/**
 * `file_search`: literal, recursive, bounded. Names match case-insensitively, contents exactly.
 * Symbolic links are never followed (a link planted in the tree cannot lead the walk into a
 * protected directory), VCS and node_modules directories are skipped, and every directory and
 * file passes `ctx.canRead` when the policy supplied one.
 */
export const fileSearchTool = defineTool({
  name: "file_search",
  description:
    "Search a directory tree for a literal string in file names (Mode=name) or file contents (Mode=content). Results are bounded by MaxResults and MaxFiles.",
  parameters,
  paths: (args) => [{ path: args.Root, access: "read", walk: true }],
  async execute(args, ctx) {
    const root = resolveToolPath(ctx.workingDirectory, args.Root);
    try {
      if (!(await ctx.ops.fs.stat(root)).isDirectory()) return fail(`${root} is not a directory.`);
    } catch (error) {
      return fail(`Cannot search ${root}: it ${errorText(error)}.`);
    }
    const realRoot = await ctx.ops.fs.realpath(root);
    const needle = args.Mode === "name" ? args.Query.toLowerCase() : args.Query;
    const results: string[] = [];
    const queue = [realRoot];
    let files = 0;
    let truncated = false;
    walk: while (queue.length > 0) {
      if (ctx.signal.aborted) return fail("file_search was cancelled.");
      const dir = queue.shift()!;
      let entries: import("node:fs").Dirent[];
      try {
        entries = await ctx.ops.fs.readdir(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable directory: skip, keep searching
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (ctx.canRead && !ctx.canRead(full)) continue;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) queue.push(full);
          if (args.Mode === "name" && entry.name.toLowerCase().includes(needle))
            results.push(`${relative(realRoot, full)}/`);
        } else if (entry.isFile()) {
          files += 1;
          if (files > args.MaxFiles) {
            truncated = true;
            break walk;
          }
          if (args.Mode === "name") {
            if (entry.name.toLowerCase().includes(needle)) results.push(relative(realRoot, full));
          } else {
            await searchContent({ path: full, label: relative(realRoot, full), needle, args, ctx, results });
          }
        }
        if (results.length >= args.MaxResults) {
          truncated = true;
          break walk;
        }
      }
    }
    const shown = results.slice(0, args.MaxResults);
    if (shown.length === 0)
      return ok(
        `No ${args.Mode === "name" ? "file names" : "files"} under ${root} contain "${args.Query}" (${files} files searched).`,
      );
    const note = truncated
      ? `\n[stopped at a limit: MaxResults=${args.MaxResults}, MaxFiles=${args.MaxFiles}]`
      : "";
    return ok(
      `${shown.length} match${shown.length === 1 ? "" : "es"} under ${root}:\n${shown.join("\n")}${note}`,
    );
  },
});

async function searchContent(options: {
  path: string;
  label: string;
  needle: string;
  args: { MaxContentBytes: number; MaxResults: number };
  ctx: ToolContext;
  results: string[];
}): Promise<void> {
  const { ctx, results } = options;
  let handle: Awaited<ReturnType<typeof ctx.ops.fs.open>> | undefined;
  try {
    handle = await ctx.ops.fs.open(options.path, "r");
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, options.args.MaxContentBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    if (looksBinary(bytes) || !bytes.includes(Buffer.from(options.needle))) return;
    const lines = bytes.toString("utf8").split("\n");
    for (let i = 0; i < lines.length && results.length < options.args.MaxResults; i++) {
      const line = lines[i]!;
      if (!line.includes(options.needle)) continue;
      const text = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} […]` : line;
      results.push(`${options.label}:${i + 1}: ${text.trim()}`);
    }
  } catch {
    // unreadable file: skip
  } finally {
    await handle?.close();
  }
}
