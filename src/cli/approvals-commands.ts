import type { Command } from "commander";
import type { CliContext } from "./context.ts";
import { UsageError } from "./output.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

const load = () => import("./commands/approvals.ts");

/**
 * `netclaw approvals list|revoke|trust-verb`: the persistent tool grants in
 * `config/tool-approvals.json`, edited without the daemon (it re-reads the file on every check).
 * Wire with one line in main.ts: `registerApprovalsCommands(program, run)`.
 */
export function registerApprovalsCommands(program: Command, run: Run): void {
  const approvals = program
    .command("approvals")
    .description("persistent tool grants (config/tool-approvals.json); works without the daemon");
  approvals
    .command("list")
    .description("every grant: audience, tool, verb and where it applies")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => run(async (c) => (await load()).approvalsList(c, options)));
  approvals
    .command("revoke <grant>")
    .description('remove a grant: "<verb> in <dir>" (folder or repository) or "<verb> anywhere"')
    .option("--audience <audience>", "Personal, Team or Public (default: every audience)")
    .option("--json", "print JSON")
    .action((grant: string, options: { audience?: string; json?: boolean }) =>
      run(async (c) => (await load()).approvalsRevoke(c, { grant, ...options })),
    );
  approvals
    .command("trust-verb <verb>")
    .description("allow a shell verb (`git status`, `docker ps`) without a prompt, in a folder or anywhere")
    .option("--dir <dir>", "only in this folder (default: anywhere)")
    .option("--audience <audience>", "Personal, Team or Public", "Personal")
    .option("--json", "print JSON")
    .action((verb: string, options: { dir?: string; audience: string; json?: boolean }) =>
      run(async (c) => (await load()).approvalsTrustVerb(c, { verb, ...options })),
    );
  approvals.action(() => {
    throw new UsageError("netclaw approvals: missing subcommand. See 'netclaw approvals --help'.");
  });
}
