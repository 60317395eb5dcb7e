import { failureOf, reportFailure } from "../chat/chat-failure.ts";
import { runHeadless } from "../chat/headless.ts";
import { runInteractive } from "../chat/interactive.ts";
import type { CliContext } from "../context.ts";
import { printError, UsageError } from "../output.ts";

export type ChatOptions = { prompt?: string; positional?: string; resume?: string; json?: boolean };

/**
 * `netclaw chat`: interactive when stdin and stdout are terminals and no `-p` is given; otherwise
 * one headless prompt (from `-p`, the argument, or stdin). With `--json` every failure, usage
 * errors included, is one JSON error object on stdout.
 */
export async function chatCommand(context: CliContext, options: ChatOptions): Promise<number> {
  try {
    return await runChat(context, options);
  } catch (error) {
    if (!options.json) throw error;
    return reportFailure(failureOf(context, error), { json: true });
  }
}

async function runChat(context: CliContext, options: ChatOptions): Promise<number> {
  if (options.prompt !== undefined && options.positional !== undefined)
    throw new UsageError('netclaw chat: give the prompt once, either with -p "…" or as the argument');
  const interactive = process.stdin.isTTY && process.stdout.isTTY && options.prompt === undefined;
  if (interactive && !options.json) {
    return runInteractive(context, { resume: options.resume, firstMessage: options.positional });
  }
  const given = options.prompt ?? options.positional;
  if (given !== undefined && given.trim() === "")
    throw new UsageError('netclaw chat: the prompt is empty; give the text to send: netclaw chat -p "…"');
  let prompt = given;
  if (prompt === undefined && !process.stdin.isTTY) prompt = await readStdin();
  if (prompt === undefined || prompt.trim() === "") {
    if (options.json) throw new UsageError('netclaw chat: --json needs a prompt: netclaw chat -p "…" --json');
    if (!process.stdin.isTTY)
      throw new UsageError('netclaw chat: the prompt on stdin is empty; pipe some text, or use -p "…"');
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
