import { extname } from "node:path";
import { z } from "zod";
import { errorText, looksBinary, resolveToolPath } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

const DEFAULT_LIMIT = 2000;
const MAX_LINE_CHARS = 2000;

const parameters = z.object({
  Path: z.string().min(1).describe("File to read, absolute or relative to the working directory."),
  Offset: z.int().min(1).optional().describe("First line to return (1-based)."),
  Limit: z
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe(`Number of lines to return (default ${DEFAULT_LIMIT}).`),
});

const MAGIC: [string, number[]][] = [
  ["PNG image", [0x89, 0x50, 0x4e, 0x47]],
  ["JPEG image", [0xff, 0xd8, 0xff]],
  ["GIF image", [0x47, 0x49, 0x46, 0x38]],
  ["PDF document", [0x25, 0x50, 0x44, 0x46]],
  ["ZIP archive", [0x50, 0x4b, 0x03, 0x04]],
  ["gzip archive", [0x1f, 0x8b]],
  ["ELF executable", [0x7f, 0x45, 0x4c, 0x46]],
];

function describeBinary(head: Uint8Array, path: string): string {
  const match = MAGIC.find(([, bytes]) => bytes.every((b, i) => head[i] === b));
  return match ? match[0] : `binary data${extname(path) ? ` (${extname(path)})` : ""}`;
}

/**
 * `file_read`: text with line numbers, a window of `Limit` lines from `Offset`, streamed so a huge
 * file costs only its window. Binary files give a one-line description instead of bytes.
 */
export const fileReadTool = defineTool({
  name: "file_read",
  description:
    "Read a text file. Returns numbered lines; use Offset and Limit to page through long files. Binary files are described, not dumped.",
  parameters,
  paths: (args) => [{ path: args.Path, access: "read" }],
  async execute(args, ctx) {
    const path = resolveToolPath(ctx.workingDirectory, args.Path);
    let handle: Awaited<ReturnType<typeof ctx.ops.fs.open>>;
    try {
      handle = await ctx.ops.fs.open(path, "r");
    } catch (error) {
      return fail(`Cannot read ${path}: it ${errorText(error)}.`);
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) return fail(`${path} is a directory; use file_list to see its entries.`);
      const head = Buffer.alloc(Math.min(8192, info.size));
      await handle.read(head, 0, head.length, 0);
      if (looksBinary(head)) {
        return ok(`${path}: ${describeBinary(head, path)}, ${info.size} bytes. Not shown as text.`);
      }
      if (info.size === 0) return ok(`${path} is empty.`);
      const first = args.Offset ?? 1;
      const limit = args.Limit ?? DEFAULT_LIMIT;
      const last = first + limit - 1;
      const lines: string[] = [];
      let total = 0;
      for await (const line of handle.readLines({ encoding: "utf8", start: 0, autoClose: false })) {
        total += 1;
        if (ctx.signal.aborted) return fail("file_read was cancelled.");
        if (total < first || total > last) continue;
        const text = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} [… line cut]` : line;
        lines.push(`${String(total).padStart(6)}\t${text}`);
      }
      if (first > total) return fail(`${path} has ${total} lines; Offset ${first} is past the end.`);
      const shownLast = Math.min(last, total);
      const footer =
        shownLast < total || first > 1
          ? `\n[lines ${first}–${shownLast} of ${total}${shownLast < total ? `; continue with Offset=${shownLast + 1}` : ""}]`
          : "";
      return ok(lines.join("\n") + footer);
    } finally {
      await handle.close();
    }
  },
});
