import { basename } from "node:path";
import { z } from "zod";
import { errorText, resolveToolPath } from "./paths.ts";
import { defineTool, fail, ok } from "./tool.ts";

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

const parameters = z.object({
  Path: z.string().min(1).describe("File to send to the user (usually inside the session directory)."),
  DisplayName: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Name shown to the user; defaults to the file name."),
});

/** `attach_file`: hands a file to the user's channel. The loop delivers `effects.attachment`. */
export const attachFileTool = defineTool({
  name: "attach_file",
  description: "Send a file to the user as an attachment (at most 25 MiB).",
  parameters,
  paths: (args) => [{ path: args.Path, access: "attach" }],
  async execute(args, ctx) {
    const path = resolveToolPath(ctx.workingDirectory, args.Path);
    let size: number;
    try {
      const info = await ctx.ops.fs.stat(path);
      if (!info.isFile()) return fail(`${path} is not a regular file.`);
      size = info.size;
    } catch (error) {
      return fail(`Cannot attach ${path}: it ${errorText(error)}.`);
    }
    if (size > MAX_ATTACHMENT_BYTES)
      return fail(`${path} is ${size} bytes; attachments are limited to 25 MiB.`);
    const displayName = (args.DisplayName ?? basename(path)).replace(/[\r\n/\\]/g, "_");
    return ok(`Attached ${displayName} (${size} bytes).`, {
      attachment: { path, displayName, sizeBytes: size },
    });
  },
});
