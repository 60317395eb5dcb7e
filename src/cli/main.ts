import { Command, CommanderError } from "commander";
import { buildInfo } from "../protocol/build-info.ts";
import { registerApprovalsCommands } from "./approvals-commands.ts";
import { registerMcpCommand } from "./commands/mcp.ts";
import { registerReminderCommand } from "./commands/reminder.ts";
import { type CliContext, createContext } from "./context.ts";
import { trailingHelpTarget, unknownCommandError } from "./did-you-mean.ts";
import { printError, UsageError, wantsJson } from "./output.ts";
import { registerSettingsCommands } from "./settings-commands.ts";
import { registerWebhooksCommands } from "./webhooks-commands.ts";

type Action = (context: CliContext) => Promise<number>;

// Command modules load on use, so `--version` and `status` pay only for what they run.
const commands = {
  status: () => import("./commands/status.ts"),
  doctor: () => import("./commands/doctor.ts"),
  daemon: () => import("./commands/daemon.ts"),
  update: () => import("./commands/update.ts"),
  backup: () => import("./commands/backup.ts"),
  service: () => import("./commands/service.ts"),
  daemonPair: () => import("./commands/daemon-pair.ts"),
  devices: () => import("./commands/devices.ts"),
  pair: () => import("./commands/pair.ts"),
  secrets: () => import("./commands/secrets.ts"),
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
    .showSuggestionAfterError(true)
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
        (await commands.status()).statusCommand(context, { json: wantsJson("status", options) }),
      ),
    );

  program
    .command("doctor")
    .description("check configuration, files, exposure and the daemon (exit 0 pass, 2 warnings, 1 failures)")
    .option("--json", "print JSON")
    .option("--format <format>", "text or json")
    .option("--fix", "repair what is safely fixable (backs up every file first)")
    .option("--dry-run", "with --fix: only show what would change")
    .option("-y, --yes", "with --fix: do not ask")
    .action((options: { json?: boolean; format?: string; fix?: boolean; dryRun?: boolean; yes?: boolean }) =>
      run(async (context) =>
        (await commands.doctor()).doctorCommand(context, { ...options, json: wantsJson("doctor", options) }),
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

  registerSettingsCommands(program, run);
  registerWebhooksCommands(program, run);
  registerApprovalsCommands(program, run);
  registerReminderCommand(program, run);
  registerMcpCommand(program, run);

  const backup = program
    .command("backup")
    .description("back up and restore config, identity, keys, schedules and the database");
  backup
    .command("create [path]")
    .description("write one archive (works while the daemon runs)")
    .action((path?: string) => run(async (context) => (await commands.backup()).backupCreate(context, path)));
  backup
    .command("restore <archive>")
    .description("put a backup back (daemon stopped); what it replaces is saved first")
    .action((archive: string) =>
      run(async (context) => (await commands.backup()).backupRestore(context, archive)),
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
  daemon
    .command("install")
    .description("install netclawd as a systemd user service (Linux), enabled at boot")
    .action(() => run(async (context) => (await commands.service()).serviceInstall(context)));
  daemon
    .command("uninstall")
    .description("stop, disable and remove the systemd user service")
    .action(() => run(async (context) => (await commands.service()).serviceUninstall(context)));
  daemon
    .command("pair")
    .description("issue a one-time pairing code for a remote device (run on the daemon host)")
    .action(() => run(async (context) => (await commands.daemonPair()).daemonPairCommand(context)));
  const devices = daemon
    .command("devices")
    .description("list paired devices; `devices revoke <name>` unpairs one")
    .action(() => run(async (context) => (await commands.devices()).devicesListCommand(context)));
  devices
    .command("revoke <name>")
    .description("revoke a paired device: its token is refused from then on")
    .action((name: string) =>
      run(async (context) => (await commands.devices()).devicesRevokeCommand(context, name)),
    );
  daemon.action(() => {
    throw new UsageError("netclaw daemon: missing subcommand. See 'netclaw daemon --help'.");
  });

  program
    .command("pair <endpoint>")
    .description("pair this machine with a remote netclawd (asks for the code from `netclaw daemon pair`)")
    .option("--code <code>", "the pairing code (instead of the prompt)")
    .option("--name <name>", "this device's name (instead of the prompt)")
    .action((endpoint: string, options: { code?: string; name?: string }) =>
      run(async (context) => (await commands.pair()).pairCommand(context, { endpoint, ...options })),
    );

  const secrets = program
    .command("secrets")
    .description("store, list and remove credentials (encrypted in config/secrets.json)");
  secrets
    .command("set <key> [value]")
    .description("encrypt and store a value (from the argument, --from-env VAR, or stdin)")
    .option("--from-env <var>", "read the value from this environment variable")
    .action((key: string, value: string | undefined, options: { fromEnv?: string }) =>
      run(async (context) =>
        (await commands.secrets()).secretsSetCommand(context, { key, value, fromEnv: options.fromEnv }),
      ),
    );
  secrets
    .command("list")
    .description("list each secret's key and where it comes from (never its value)")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) =>
      run(async (context) => (await commands.secrets()).secretsListCommand(context, options)),
    );
  secrets
    .command("unset <key>")
    .description("remove a value (or section) from config/secrets.json")
    .action((key: string) =>
      run(async (context) => (await commands.secrets()).secretsUnsetCommand(context, key)),
    );
  secrets.action(() => {
    throw new UsageError("netclaw secrets: missing subcommand. See 'netclaw secrets --help'.");
  });
  return program;
}

/** The `netclaw` command line. Exit codes: 0 ok, 1 failure, 2 usage (and degraded/warnings). */
export async function main(argv: string[]): Promise<void> {
  // `netclaw status | head -2`: a reader that stops early is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
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
  if (first === undefined) {
    process.stderr.write(program.helpInformation());
    process.exit(2);
  }
  // "A help token anywhere prints help and never runs the verb" (reference/core.md §1)
  const helpFor = trailingHelpTarget(program, argv);
  if (helpFor) {
    process.stdout.write(helpFor.helpInformation());
    process.exit(0);
  }
  const unknown = unknownCommandError(program, argv);
  if (unknown) {
    printError(unknown);
    process.exit(2);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    process.exit(exitCodeFor(error, argv));
  }
  if (!pending) process.exit(0);
  try {
    process.exitCode = await pending;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(error.message);
      process.exit(2);
    }
    printFailure(error);
    process.exitCode = 1;
  }
}

/** `error: <message>`, plus the `fix:` line of errors that carry one (ConfigError). */
function printFailure(error: unknown): void {
  printError(`error: ${(error as Error).message}`);
  const remediation = (error as { remediation?: unknown }).remediation;
  if (typeof remediation === "string") printError(`       fix: ${remediation}`);
}

function exitCodeFor(error: unknown, argv: readonly string[]): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
    if (error.code === "commander.version") return 0;
    // `chat --json` promises one JSON object on stdout for every failure, parse errors included
    if (argv[0] === "chat" && argv.includes("--json")) {
      const message = error.message.replace(/^error: /, "");
      process.stdout.write(`${JSON.stringify({ type: "error", code: "usage", message })}\n`);
    }
    return 2;
  }
  if (error instanceof UsageError) {
    printError(error.message);
    return 2;
  }
  printFailure(error);
  return 1;
}
