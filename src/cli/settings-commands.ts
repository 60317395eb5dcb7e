import type { Command } from "commander";
import type { CliContext } from "./context.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

const load = {
  config: () => import("./commands/config.ts"),
  provider: () => import("./commands/provider.ts"),
  model: () => import("./commands/model.ts"),
  init: () => import("./commands/init.ts"),
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `init`, `config`, `provider` and `model`: settings commands that work without the daemon. */
export function registerSettingsCommands(program: Command, run: Run): void {
  program
    .command("init")
    .description(
      "set netclaw up: provider, model, identity, posture, exposure (wizard, or --non-interactive)",
    )
    .option("--non-interactive", "no prompts: take everything from flags (Docker entrypoints, Ansible, CI)")
    .option("--provider <type>", "ollama, openai, anthropic, openrouter or openai-compatible")
    .option("--provider-name <name>", "the provider's name in netclaw.json (default: the type)")
    .option("--endpoint <url>", "the provider's base URL")
    .option("--api-key-env <var>", "name of the environment variable that holds the API key")
    .option("--model <id>", "the Main model id")
    .option("--name <name>", "your name (for identity/SOUL.md)")
    .option("--timezone <zone>", "your IANA time zone (default UTC)")
    .option("--workspaces <dir>", "workspaces directory")
    .option("--posture <posture>", "Personal, Team or Public (default Personal)")
    .option("--features <list>", "comma-separated: Memory,Scheduling,Webhooks")
    .option(
      "--exposure <mode>",
      "local (default), reverse-proxy, tailscale-serve, tailscale-funnel, cloudflare-tunnel",
    )
    .option("--host <address>", "bind address (reverse-proxy)")
    .option("--trusted-proxies <list>", "comma-separated IPs/CIDRs (reverse-proxy)")
    .option("--skip-check", "do not test the provider connection")
    .option("--no-start", "do not start or restart the daemon afterwards")
    .action((options: Record<string, unknown>) =>
      run(async (c) => (await load.init()).initCommand(c, options)),
    );

  const config = program.command("config").description("read and change settings (no daemon needed)");
  config
    .command("path")
    .description("where the settings files are")
    .action(() => run(async (c) => (await load.config()).configPath(c)));
  config
    .command("schema")
    .description("print the JSON Schema of netclaw.json")
    .action(() => run(async () => (await load.config()).configSchema()));
  config
    .command("validate")
    .description("load and check the configuration")
    .action(() => run(async (c) => (await load.config()).configValidate(c)));
  config
    .command("get <key>")
    .description("the effective value of a dotted key (secrets are never printed)")
    .option("--json", "print JSON")
    .action((key: string, options: { json?: boolean }) =>
      run(async (c) => (await load.config()).configGet(c, key, options)),
    );
  config
    .command("set <key> <value> [more...]")
    .description(
      "set keys in netclaw.json: <key> <value> [<key> <value>…], validated together before writing",
    )
    .action((key: string, value: string, more: string[]) =>
      run(async (c) => (await load.config()).configSet(c, key, value, more)),
    );
  config
    .command("unset <key>")
    .description("remove a key from netclaw.json")
    .action((key: string) => run(async (c) => (await load.config()).configUnset(c, key)));

  const provider = program.command("provider").description("model providers");
  provider
    .command("list")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) =>
      run(async (c) => (await load.provider()).providerList(c, options)),
    );
  provider
    .command("add <name> <type>")
    .description("add or update a provider (ollama, openai, anthropic, openrouter, openai-compatible)")
    .option("--endpoint <url>", "base URL (defaults per type)")
    .option("--api-key-env <var>", "read the API key from this environment variable")
    .option("--api-key-stdin", "read the API key from standard input")
    .action(
      (
        name: string,
        type: string,
        options: { endpoint?: string; apiKeyEnv?: string; apiKeyStdin?: boolean },
      ) =>
        run(async (c) =>
          (await load.provider()).providerAdd(c, name, type, {
            endpoint: options.endpoint,
            apiKeyEnv: options.apiKeyEnv,
            apiKeyStdin: options.apiKeyStdin ? await readStdin() : undefined,
          }),
        ),
    );
  provider
    .command("remove <name>")
    .description("remove a provider no model role uses")
    .action((name: string) => run(async (c) => (await load.provider()).providerRemove(c, name)));

  const model = program.command("model").description("model roles: main, fallback, compaction");
  model
    .command("list")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => run(async (c) => (await load.model()).modelList(c, options)));
  model
    .command("set <role> <provider> <model-id>")
    .description("point a role at a provider's model")
    .option("--context-window <n>", "cap the context window (≥ 4096)")
    .action((role: string, prov: string, id: string, options: { contextWindow?: string }) =>
      run(async (c) => (await load.model()).modelSet(c, role, prov, id, options)),
    );
  model
    .command("discover <provider>")
    .description("list the models a configured provider offers")
    .option("--json", "print JSON")
    .action((prov: string, options: { json?: boolean }) =>
      run(async (c) => (await load.model()).modelDiscover(c, prov, options)),
    );
  model
    .command("clear <role>")
    .description("clear fallback or compaction (they fall back to main)")
    .action((role: string) => run(async (c) => (await load.model()).modelClear(c, role)));
}
