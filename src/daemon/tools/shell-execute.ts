import { resolve } from "node:path";
import { z } from "zod";
import { printable } from "./output-bound.ts";
import { runProcessTree } from "./process-tree.ts";
import { defineTool, fail, ok } from "./tool.ts";

export const DEFAULT_TOOL_TIMEOUT_MS = 90_000;

const parameters = z.object({
  Command: z.string().min(1).max(100_000).describe("The command line, run with `bash -c`."),
  WorkingDirectory: z
    .string()
    .optional()
    .describe("Directory to run in; defaults to the project directory, else the session directory."),
});

/**
 * Environment for commands: the daemon's, minus `NETCLAW_*` variables other than NETCLAW_HOME —
 * those carry provider keys and tokens, and a command could print or send them (output
 * redaction does not catch an encoded value).
 */
export function shellEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.toUpperCase().startsWith("NETCLAW_") && key.toUpperCase() !== "NETCLAW_HOME") continue;
    clean[key] = value;
  }
  return clean;
}

/**
 * `shell_execute`: `bash -c <Command>` as the daemon user, stdin closed, in its own process group;
 * timeout and cancellation kill the whole tree. Host-level access: with the Docker socket mounted
 * the Docker CLI works from here, which is root on the host.
 */
export function createShellExecuteTool(options: { env?: NodeJS.ProcessEnv; killGraceMs?: number } = {}) {
  const env = shellEnvironment(options.env ?? process.env);
  return defineTool({
    name: "shell_execute",
    description:
      "Run a shell command with bash -c on the host. stdin is closed; stdout and stderr are returned together with the exit code. Long-running commands are killed at the tool timeout.",
    parameters,
    paths: (args) => (args.WorkingDirectory ? [{ path: args.WorkingDirectory, access: "cwd" }] : []),
    async execute(args, ctx) {
      const cwd = args.WorkingDirectory
        ? resolve(ctx.workingDirectory, args.WorkingDirectory)
        : ctx.workingDirectory;
      try {
        if (!(await ctx.ops.fs.stat(cwd)).isDirectory())
          return fail(`Working directory ${cwd} is not a directory.`);
      } catch {
        return fail(`Working directory ${cwd} does not exist.`);
      }
      const timeoutMs = ctx.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
      const outcome = await runProcessTree({
        ops: ctx.ops,
        file: "bash",
        args: ["-c", args.Command],
        cwd,
        env,
        signal: ctx.signal,
        timeoutMs,
        killGraceMs: options.killGraceMs,
      });
      const text = printable(outcome.output).trimEnd();
      const body = text.length > 0 ? `${text}\n\n` : "";
      if (outcome.timedOut) {
        return fail(
          `${body}Timed out after ${Math.round(timeoutMs / 1000)} s; the command and every process it started were killed.`,
        );
      }
      if (outcome.cancelled)
        return fail(`${body}Cancelled; the command and every process it started were killed.`);
      if (outcome.exitCode === null && outcome.exitSignal === null)
        return fail(body || "The command did not start.");
      const status =
        outcome.exitCode !== null
          ? `Exit code: ${outcome.exitCode}`
          : `Killed by signal ${outcome.exitSignal}`;
      return ok(`${body}${status}`);
    },
  });
}
