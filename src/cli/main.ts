import { Command, CommanderError } from "commander";
import { buildInfo } from "../protocol/build-info.ts";
import { type CliContext, createContext } from "./context.ts";
import { printError, UsageError } from "./output.ts";

type Action = (context: CliContext) => Promise<number>;

// Command modules load on use, so `--version` and `status` pay only for what they run.
const commands = {
  status: () => import("./commands/status.ts"),
  doctor: () => import("./commands/doctor.ts"),
  daemon: () => import("./commands/daemon.ts"),
  update: () => import("./commands/update.ts"),
  chat: () => import("./commands/chat.ts"),
  sessions: () => import("./commands/sessions.ts"),
};

/** Builds the command tree; each action resolves to the process exit code. */
function buildProgram(run: (action: Action) => void): Command {
  const program = new Command("netclaw")
    .description("netclaw — the CLI for the netclawd self-hosted AI operations agent")
    .usage("<command> [options]")
    .helpOption("-h, --help", "show help")
    .addHelpCommand("help [command]", "show help for a command")
    .option("-V, --version", "print the version")
    .showSuggestionAfterError(false)
    .exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command("chat")
    .description("talk to the agent: interactive on a terminal, or one prompt with -p / on stdin")
    .argument("[prompt]", "a first message (interactive) or the prompt (headless)")
    .option("-p, --prompt <text>", "send one prompt, print the answer and exit (headless)")
    .option("-r, --resume <id|name>", "continue a session by id, or by name (created when missing)")
    .option("--json", "headless: print {sessionId, response, toolCalls, usage, ttftMs, totalMs}")
    .action((positional: string | undefined, options: { prompt?: string; resume?: string; json?: boolean }) =>
      run(async (context) => (await commands.chat()).chatCommand(context, { ...options, positional })),
    );

  program
    .command("sessions")
    .description("list sessions, newest activity first")
    .option("--json", "print JSON")
    .option("--once", "print the list once (the default)")
    .action((options: { json?: boolean }) =>
      run(async (context) => (await commands.sessions()).sessionsCommand(context, options)),
    );

  program
    .command("status")
    .description("ask the daemon how it is (exit 0 healthy, 2 degraded, 1 unreachable)")
    .option("--json", "print JSON")
    .option("--format <format>", "text or json")
    .action((options: { json?: boolean; format?: string }) =>
      run(async (context) =>
        (await commands.status()).statusCommand(context, { json: options.json || options.format === "json" }),
      ),
    );

  program
    .command("doctor")
    .description("check configuration, files, exposure and the daemon (exit 0 pass, 2 warnings, 1 failures)")
    .option("--json", "print JSON")
    .option("--format <format>", "text or json")
    .action((options: { json?: boolean; format?: string }) =>
      run(async (context) =>
        (await commands.doctor()).doctorCommand(context, { json: options.json || options.format === "json" }),
      ),
    );

  program
    .command("update")
    .description("check for a newer netclaw release and upgrade the npm package")
    .option("--check", "only check; change nothing")
    .option("--channel <channel>", "stable or beta (saved to Daemon.UpdateChannel)")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--force", "same as --yes")
    .action((options: { check?: boolean; channel?: string; yes?: boolean; force?: boolean }) =>
      run(async (context) =>
        (await commands.update()).updateCommand(context, { ...options, yes: options.yes || options.force }),
      ),
    );

  const daemon = program.command("daemon").description("start, stop and inspect netclawd");
  daemon
    .command("start")
    .description("start netclawd in the background and wait until it is ready")
    .action(() => run(async (context) => (await commands.daemon()).daemonStart(context)));
  daemon
    .command("stop")
    .description("stop netclawd (API, then SIGTERM, then SIGKILL)")
    .action(() => run(async (context) => (await commands.daemon()).daemonStop(context)));
  daemon
    .command("status")
    .description("is netclawd running? (from its pid file)")
    .action(() => run(async (context) => (await commands.daemon()).daemonStatus(context)));
  daemon.action(() => {
    throw new UsageError("netclaw daemon: missing subcommand. See 'netclaw daemon --help'.");
  });
  return program;
}

/** The `netclaw` command line. Exit codes: 0 ok, 1 failure, 2 usage (and degraded/warnings). */
export async function main(argv: string[]): Promise<void> {
  const first = argv[0];
  if (first === "--version" || first === "-V" || first === "version") {
    const build = buildInfo();
    process.stdout.write(`netclaw ${build.version} (commit ${build.commit})\n`);
    return;
  }
  let pending: Promise<number> | undefined;
  const program = buildProgram((action) => {
    pending = action(createContext(process.env));
  });
  const known = new Set(program.commands.map((command) => command.name()));
  if (first === undefined) {
    process.stderr.write(program.helpInformation());
    process.exit(2);
  }
  if (!first.startsWith("-") && first !== "help" && !known.has(first)) {
    printError(`netclaw: '${first}' is not a netclaw command. See 'netclaw --help'.`);
    process.exit(2);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    process.exit(exitCodeFor(error));
  }
  if (!pending) process.exit(0);
  try {
    process.exitCode = await pending;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(error.message);
      process.exit(2);
    }
    printError(`error: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
    if (error.code === "commander.version") return 0;
    return 2;
  }
  if (error instanceof UsageError) {
    printError(error.message);
    return 2;
  }
  printError(`error: ${(error as Error).message}`);
  return 1;
}
