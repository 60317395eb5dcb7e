import type { Command } from "commander";
import type { CliContext } from "./context.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

const load = () => import("./commands/webhooks.ts");

/**
 * `netclaw webhooks list|show|set|delete|validate`: edits `config/webhooks/<route>.json` directly
 * (no daemon needed; a running daemon hot-reloads the files). Wire with one line in main.ts:
 * `registerWebhooksCommands(program, run)`.
 */
export function registerWebhooksCommands(program: Command, run: Run): void {
  const webhooks = program
    .command("webhooks")
    .description("signed webhook routes (config/webhooks/<route>.json; secrets never printed)");
  webhooks
    .command("list")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => run(async (c) => (await load()).webhooksList(c, options)));
  webhooks
    .command("show <name>")
    .description("a route's settings (the secret is never shown)")
    .option("--json", "print JSON")
    .action((name: string, options: { json?: boolean }) =>
      run(async (c) => (await load()).webhooksShow(c, name, options)),
    );
  webhooks
    .command("set <name>")
    .description("create a route or change some of its fields (validated before writing, file 0600)")
    .option("--prompt <text>", "what the agent does with each delivery")
    .option("--prompt-file <file>", "read the prompt from a file")
    .option("--secret-file <file>", "read the shared secret from a file")
    .option("--secret-env <var>", "read the shared secret from an environment variable")
    .option("--kind <kind>", "Hmac (default), HmacTimestamped or HeaderSecret")
    .option("--audience <audience>", "Public (default), Team or Personal")
    .option("--events <list>", "comma-separated allowed event types (empty = all)")
    .option("--notify-instructions <text>", "how to report the result")
    .option("--max-body-bytes <n>", "body cap in bytes (default 1048576)")
    .option("--rate-limit <n>", "deliveries per minute (default 30)")
    .option("--enable", "enable the route")
    .option("--disable", "disable the route (deliveries get 404)")
    .action((name: string, options: Record<string, string | boolean | undefined>) =>
      run(async (c) => (await load()).webhooksSet(c, name, options)),
    );
  webhooks
    .command("delete <name>")
    .action((name: string) => run(async (c) => (await load()).webhooksDelete(c, name)));
  webhooks
    .command("validate [name]")
    .description("check one or every route file (exit 1 if any is invalid)")
    .action((name: string | undefined) => run(async (c) => (await load()).webhooksValidate(c, name)));
}
