import { createInterface } from "node:readline";

export type Prompter = {
  /** Writes `question` and resolves with the next line of input (without its newline). */
  ask(question: string): Promise<string>;
  close(): void;
};

/**
 * Line prompts that also work with piped input: lines that arrive before a question is asked
 * are queued instead of lost (readline's `question` drops them). Rejects when input ends first.
 */
export function createPrompter(options: {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}): Prompter {
  const rl = createInterface({ input: options.input, terminal: false });
  const lines: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let ended = false;
  rl.on("line", (line) => {
    const next = waiting.shift();
    if (next) next.resolve(line);
    else lines.push(line);
  });
  rl.on("close", () => {
    ended = true;
    for (const next of waiting.splice(0)) next.reject(new Error("input ended before an answer was given"));
  });
  // A terminal echoes the user's Enter; piped answers are not echoed, so end the line ourselves.
  const piped = !(options.input as { isTTY?: boolean }).isTTY;
  const answered = (line: string) => {
    if (piped) options.output.write("\n");
    return line;
  };
  return {
    ask(question) {
      options.output.write(question);
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(answered(line));
      if (ended) return Promise.reject(new Error("input ended before an answer was given"));
      return new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })).then(answered);
    },
    close: () => rl.close(),
  };
}

/** Reads all of stdin as text (for `secrets set` without a value). */
export async function readAllStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = "";
  for await (const chunk of input)
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  return text;
}
