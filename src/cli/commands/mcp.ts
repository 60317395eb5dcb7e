import type { Command } from "commander";
import { editConfigFile, setPath, unsetPath } from "../../config/config-file.ts";
import type { McpServerConfig } from "../../config/schema.ts";
import { maskArguments } from "../../config/secret-leaves.ts";
import { setSecret } from "../../config/secrets-file.ts";
import { findKey, getPath, isTree } from "../../config/tree.ts";
import { mcpToolsResponseSchema } from "../../protocol/mcp.ts";
import type { CliContext } from "../context.ts";
import { daemonCall } from "../daemon-call.ts";
import { print, printError, UsageError } from "../output.ts";
import { settings } from "./config.ts";
import { commandWarning } from "./mcp-command-check.ts";
import { editGrants, type GrantEdit } from "./mcp-grants.ts";
import { mcpRemove } from "./mcp-remove.ts";
import { APPLIES, AUDIENCES, type Audience, entry, grantsPath, servers } from "./mcp-shared.ts";

type Run = (action: (context: CliContext) => Promise<number>) => void;

/** Approval defaults `mcp add` writes per audience (reference/core.md: Personal=Auto, Team=Approval, Public=Deny). */
const ADD_DEFAULTS: Record<Audience, string> = { Personal: "Auto", Team: "Approval", Public: "Deny" };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new UsageError(
      `'${name}' is not a valid MCP server name: use letters, digits, '-' and '_' (up to 64).`,
    );
}

function describe(name: string, server: McpServerConfig) {
  return {
    name,
    transport: server.Transport,
    enabled: server.Enabled,
    ...(server.Transport === "stdio"
      ? {
          command: server.Command ?? null,
          arguments: maskArguments(server.Arguments),
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
  grantAll?: boolean;
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
        // Approval defaults per audience; an existing choice for this name is kept.
        for (const audience of AUDIENCES) {
          const path = ["Tools", "AudienceProfiles", audience, "ApprovalPolicy", "McpServerDefaults", name];
          if (getPath(file, path) === undefined) setPath(file, path, ADD_DEFAULTS[audience]);
        }
        if (options.grantAll) setPath(file, grantsPath("Personal", name), ["*"]);
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
    print(`Added MCP server '${name}'. ${APPLIES}`);
    print(
      options.grantAll
        ? "All of its tools are granted to Personal conversations (Auto); Team asks for approval, Public is denied."
        : `Its tools are not granted to anyone yet: see them with \`netclaw mcp tools ${name}\`, then grant some with \`netclaw mcp tools ${name} --grant <tool,…>\` (or all with --grant-all).`,
    );
    // Added all the same: the daemon may run with another PATH (a service, the container).
    const warning = options.command
      ? commandWarning({ command: options.command, env: { ...context.env, ...env }, cwd: process.cwd() })
      : undefined;
    if (warning) printError(`warning: ${warning}`);
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

export function mcpSetEnabled(context: CliContext, name: string, enabled: boolean): number {
  return settings(() => {
    const [key] = entry(context, name);
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => setPath(file, ["McpServers", key, "Enabled"], enabled),
    });
    print(`${enabled ? "Enabled" : "Disabled"} MCP server '${key}'. ${APPLIES}`);
    return 0;
  });
}

export type McpToolsOptions = GrantEdit & { json?: boolean };

/** `mcp tools <name>`: the tools the running daemon got from that server, with each audience's access. */
export async function mcpTools(context: CliContext, name: string, options: McpToolsOptions): Promise<number> {
  if (options.grant !== undefined || options.revoke !== undefined || options.grantAll)
    return editGrants(context, name, options);
  if (options.audience !== undefined)
    throw new UsageError("--audience goes with --grant, --revoke or --grant-all.");
  return daemonCall(context, "mcp", async () => {
    const answer = mcpToolsResponseSchema.parse(
      await context.client().get(`/api/mcp/servers/${encodeURIComponent(name)}/tools`),
    );
    if (options.json) print(JSON.stringify(answer));
    else {
      print(
        `${answer.server.name}: ${answer.server.state}${answer.server.error ? ` (${answer.server.error})` : ""}`,
      );
      if (answer.tools.length > 0)
        print(
          `  ${"tool".padEnd(32)} ${"Personal".padEnd(19)} ${"Team".padEnd(19)} ${"Public".padEnd(19)} description`,
        );
      for (const tool of answer.tools) {
        const access = AUDIENCES.map((a) => (tool.access?.[a] ?? "?").padEnd(19)).join(" ");
        print(`  ${tool.name.padEnd(32)} ${access} ${tool.description.split("\n")[0]}`);
      }
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
    .option("--grant-all", "grant every tool of the server to Personal conversations")
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
    .description("a server's tools and who may use them; --grant/--revoke change that")
    .option("--json", "print JSON")
    .option("--audience <audience>", "with --grant/--revoke: Personal (default), Team or Public")
    .option("--grant <tools>", "grant these tools (comma-separated) to the audience")
    .option("--revoke <tools>", "take these grants back ('*' takes all)")
    .option("--grant-all", "grant every tool of the server to the audience")
    .action((name: string, options: McpToolsOptions) => run((c) => mcpTools(c, name, options)));
}
