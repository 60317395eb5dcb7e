import { buildInfo } from "../protocol/build-info.ts";
import { runDaemon } from "./main.ts";

const HELP = `Usage: netclawd [--version] [--help]

Runs the netclaw daemon in the foreground. Configuration comes from
$NETCLAW_HOME/config/netclaw.json (default ~/.netclaw), config/secrets.json and
NETCLAW_<Section>__<Key> environment variables. Use \`netclaw daemon start\` to run it
in the background and \`netclaw status\` to ask it how it is.
`;

/** `netclawd` command line: no subcommands, only --version and --help. */
export async function main(argv: string[]): Promise<void> {
  const arg = argv[0];
  if (arg === "--version" || arg === "-V" || arg === "version") {
    const build = buildInfo();
    process.stdout.write(`netclawd ${build.version} (commit ${build.commit})\n`);
    return;
  }
  if (arg === "--help" || arg === "-h" || arg === "help") {
    process.stdout.write(HELP);
    return;
  }
  if (arg !== undefined) {
    process.stderr.write(`netclawd: unknown argument '${arg}'. See 'netclawd --help'.\n`);
    process.exit(2);
  }
  await runDaemon(process.env);
}
