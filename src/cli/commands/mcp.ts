import type { Command } from "commander";
import { editConfigFile, setPath, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import type { McpServerConfig } from "../../config/schema.ts";
import { removeSecret, setSecret } from "../../config/secrets-file.ts";
import { findKey, getPath, isTree } from "../../config/tree.ts";
import type { CliContext } from "../context.ts";
import { daemonCall } from "../daemon-call.ts";
import { print, UsageError } from "../output.ts";
import { settings } from "./config.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new UsageError(
      `'${name}' is not a valid MCP server name: use letters, digits, '-' and '_' (up to 64).`,
    );
}

function servers(context: CliContext): Record<string, McpServerConfig> {
  return loadHomeConfig({ paths: context.paths, env: context.env }).config.McpServers;
}

/** The entry of `name`, matched case-insensitively like every config key; ConfigError when absent. */
function entry(context: CliContext, name: string): [string, McpServerConfig] {
  const found = Object.entries(servers(context)).find(([key]) => key.toLowerCase() === name.toLowerCase());
  if (!found)
    throw new ConfigError("mcp_server_unknown", `No MCP server named '${name}' is configured.`, {
      remediation: "See `netclaw mcp list`, or add it with `netclaw mcp add`.",
    });
  return found;
}

function describe(name: string, server: McpServerConfig) {
  return {
    name,
    transport: server.Transport,
    enabled: server.Enabled,
    ...(server.Transport === "stdio"
      ? {
          command: server.Command ?? null,
          arguments: server.Arguments,
          environment: Object.keys(server.EnvironmentVariables),
        }
      : { url: server.Url ?? null, headers: Object.keys(server.Headers) }),
  };
}

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got '${value}'.`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

export type McpAddOptions = {
  command?: string;
  arg?: string[];
  env?: string[];
  url?: string;
  header?: string[];
  sse?: boolean;
};

/**
 * `mcp add <name>`: a stdio server (`--command`, `--arg`, `--env`) or a streamable-HTTP one
 * (`--url`, `--header`). Header values (often tokens) are stored encrypted in secrets.json.
 */
export function mcpAdd(context: CliContext, name: string, options: McpAddOptions): number {
  checkName(name);
  if (Boolean(options.command) === Boolean(options.url))
    throw new UsageError("Give either --command (a stdio server) or --url (a streamable-HTTP server).");
  if (options.sse && !options.url) throw new UsageError("--sse goes with --url.");
  const env = pairs(options.env, "--env");
  const headers = pairs(options.header, "--header");
  return settings(() => {
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        const existing = getPath(file, ["McpServers"]);
        if (isTree(existing)) {
          const key = findKey(existing, name);
          if (key !== undefined) unsetPath(file, ["McpServers", key]);
        }
        const base = ["McpServers", name];
        if (options.command) {
          setPath(file, [...base, "Transport"], "stdio");
          setPath(file, [...base, "Command"], options.command);
          setPath(file, [...base, "Arguments"], options.arg ?? []);
          if (Object.keys(env).length > 0) setPath(file, [...base, "EnvironmentVariables"], env);
        } else {
          setPath(file, [...base, "Transport"], options.sse ? "sse" : "http");
          setPath(file, [...base, "Url"], options.url);
        }
        setPath(file, [...base, "Enabled"], true);
      },
    });
    for (const [header, value] of Object.entries(headers)) {
      setSecret({
        secretsPath: context.paths.secretsFile,
        keyPath: context.paths.secretsKey,
        dottedKey: `McpServers.${name}.Headers.${header}`,
        value,
      });
    }
    print(
      `Added MCP server '${name}'. Restart the daemon to connect it (\`netclaw daemon stop && netclaw daemon start\`).`,
    );
    return 0;
  });
}

export function mcpList(context: CliContext, options: { json?: boolean }): number {
  return settings(() => {
    const rows = Object.entries(servers(context)).map(([name, server]) => describe(name, server));
    if (options.json) print(JSON.stringify(rows));
    else if (rows.length === 0)
      print("No MCP servers configured. Add one: netclaw mcp add <name> --command <cmd> | --url <url>");
    else
      for (const r of rows)
        print(
          `${r.name.padEnd(20)} ${r.transport.padEnd(6)} ${r.enabled ? "enabled " : "disabled"}  ${"url" in r ? r.url : [r.command, ...r.arguments].join(" ")}`,
        );
    return 0;
  });
}

export function mcpGet(context: CliContext, name: string): number {
  return settings(() => {
    const [key, server] = entry(context, name);
    print(JSON.stringify(describe(key, server), null, 2));
    return 0;
  });
}

export function mcpRemove(context: CliContext, name: string): number {
  return settings(() => {
    const [key] = entry(context, name);
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => void unsetPath(file, ["McpServers", key]),
    });
    removeSecret({
      secretsPath: context.paths.secretsFile,
      keyPath: context.paths.secretsKey,
      dottedKey: `McpServers.${key}`,
    });
    print(`Removed MCP server '${key}'. Restart the daemon to disconnect it.`);
    return 0;
  });
}

export function mcpSetEnabled(context: CliContext, name: string, enabled: boolean): number {
  return settings(() => {
    const [key] = entry(context, name);
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => setPath(file, ["McpServers", key, "Enabled"], enabled),
    });
    print(`${enabled ? "Enabled" : "Disabled"} MCP server '${key}'. Restart the daemon to apply it.`);
    return 0;
  });
}

type ToolsResponse = {
  server: { name: string; state: string; error?: string };
  tools: { name: string; description: string }[];
};

/** `mcp tools <name>`: the tools the running daemon got from that server. */
export async function mcpTools(
  context: CliContext,
  name: string,
  options: { json?: boolean },
): Promise<number> {
  return daemonCall(context, "mcp", async () => {
    const answer = (await context
      .client()
      .get(`/api/mcp/servers/${encodeURIComponent(name)}/tools`)) as ToolsResponse;
    if (options.json) print(JSON.stringify(answer));
    else {
      print(
        `${answer.server.name}: ${answer.server.state}${answer.server.error ? ` (${answer.server.error})` : ""}`,
      );
      for (const tool of answer.tools) print(`  ${tool.name.padEnd(32)} ${tool.description.split("\n")[0]}`);
    }
    return 0;
  });
}

/** Adds `netclaw mcp …` (config-file based, like `netclaw provider`; `tools` asks the daemon). */
export function registerMcpCommand(program: Command, run: Run): void {
  const mcp = program.command("mcp").description("MCP servers whose tools the agent can use");
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  mcp
    .command("add <name>")
    .description("add or replace a server: --command (stdio) or --url (streamable HTTP)")
    .option("--command <cmd>", "stdio: the program to start")
    .option("--arg <value>", "stdio: an argument (repeat for more)", collect)
    .option("--env <KEY=VALUE>", "stdio: an environment variable (repeat)", collect)
    .option("--url <url>", "http: the server's URL")
    .option("--sse", "with --url: the server speaks the older HTTP+SSE transport")
    .option(
      "--header <KEY=VALUE>",
      "http: a header, stored encrypted; ${VAR} is expanded at connect (repeat)",
      collect,
    )
    .action((name: string, options: McpAddOptions) => run(async (c) => mcpAdd(c, name, options)));
  mcp
    .command("list")
    .description("configured servers")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => run(async (c) => mcpList(c, options)));
  mcp
    .command("get <name>")
    .description("one server's settings (header values hidden)")
    .action((name: string) => run(async (c) => mcpGet(c, name)));
  mcp
    .command("remove <name>")
    .description("remove a server")
    .action((name: string) => run(async (c) => mcpRemove(c, name)));
  mcp
    .command("enable <name>")
    .description("turn a server on")
    .action((name: string) => run(async (c) => mcpSetEnabled(c, name, true)));
  mcp
    .command("disable <name>")
    .description("turn a server off")
    .action((name: string) => run(async (c) => mcpSetEnabled(c, name, false)));
  mcp
    .command("tools <name>")
    .description("the tools the running daemon got from a server")
    .option("--json", "print JSON")
    .action((name: string, options: { json?: boolean }) => run((c) => mcpTools(c, name, options)));
}
