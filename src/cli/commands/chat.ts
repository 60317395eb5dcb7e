import { runHeadless } from "../chat/headless.ts";
import { runInteractive } from "../chat/interactive.ts";
import type { CliContext } from "../context.ts";
import { printError, UsageError } from "../output.ts";

export type ChatOptions = { prompt?: string; positional?: string; resume?: string; json?: boolean };

/**
 * `netclaw chat`: interactive when stdin and stdout are terminals and no `-p` is given; otherwise
 * one headless prompt (from `-p`, the argument, or stdin).
 */
export async function chatCommand(context: CliContext, options: ChatOptions): Promise<number> {
  const interactive = process.stdin.isTTY && process.stdout.isTTY && options.prompt === undefined;
  if (interactive && !options.json) {
    return runInteractive(context, { resume: options.resume, firstMessage: options.positional });
  }
  let prompt = options.prompt ?? options.positional;
  if (prompt === undefined && !process.stdin.isTTY) prompt = await readStdin();
  if (prompt === undefined || prompt.trim() === "") {
    if (options.json) throw new UsageError('netclaw chat: --json needs a prompt: netclaw chat -p "…" --json');
    if (!process.stdin.isTTY) throw new UsageError("netclaw chat: no prompt on stdin");
    printError('netclaw chat: the interactive chat needs a terminal; for one prompt use netclaw chat -p "…"');
    return 1;
  }
  return runHeadless(context, { prompt: prompt.trim(), resume: options.resume, json: options.json });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
