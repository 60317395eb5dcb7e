import { editConfigFile, setPath, unsetPath } from "../../config/config-file.ts";
import { getPath } from "../../config/tree.ts";
import { mcpToolsResponseSchema } from "../../protocol/mcp.ts";
import { DaemonResponseError, DaemonUnreachableError } from "../client.ts";
import type { CliContext } from "../context.ts";
import { print, printError, UsageError } from "../output.ts";
import { settings } from "./config.ts";
import { APPLIES, audienceOf, entry, grantsPath } from "./mcp-shared.ts";

/** `*` in a grant list: every tool of the server. */
const ALL = "*";

export type GrantEdit = { audience?: string; grant?: string; revoke?: string; grantAll?: boolean };

/** The tools a server offers, as the running daemon saw them — or why that is not known. */
export type ServerTools = { known: true; tools: string[] } | { known: false; reason: string };

/**
 * Tool names of a comma-separated flag: `tool` or `<server>/tool`. A `<server>/` prefix naming
 * another server is refused (the grant would silently land on the wrong server), so is an empty list.
 */
export function toolNames(value: string, options: { flag: string; server: string }): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(`${options.flag} takes tool names separated by commas (or '*'), got '${value}'.`);
  return names.map((name) => {
    const slash = name.indexOf("/");
    if (slash < 0) return name;
    const prefix = name.slice(0, slash);
    if (prefix.toLowerCase() !== options.server.toLowerCase())
      throw new UsageError(
        `${options.flag}: '${name}' names a tool of server '${prefix}', not of '${options.server}'. Give the tool name alone, e.g. '${name.slice(slash + 1)}'.`,
      );
    return name.slice(slash + 1);
  });
}

/**
 * Asks the running daemon for the server's tools. Unknown (not an error) when the daemon is not
 * reachable, does not know the server yet, or the server is not connected.
 */
export async function serverTools(context: CliContext, server: string): Promise<ServerTools> {
  try {
    const answer = mcpToolsResponseSchema.parse(
      await context.client().get(`/api/mcp/servers/${encodeURIComponent(server)}/tools`),
    );
    if (answer.server.state !== "connected")
      return {
        known: false,
        reason: `the daemon reports '${server}' as ${answer.server.state}${answer.server.error ? ` (${answer.server.error})` : ""}`,
      };
    const prefix = `${answer.server.name}/`;
    return {
      known: true,
      tools: answer.tools.map((t) => (t.name.startsWith(prefix) ? t.name.slice(prefix.length) : t.name)),
    };
  } catch (error) {
    if (error instanceof DaemonUnreachableError)
      return { known: false, reason: `no daemon answers at ${error.url}` };
    if (error instanceof DaemonResponseError && error.status === 404)
      return { known: false, reason: `the running daemon has not loaded '${server}' yet` };
    return { known: false, reason: `the daemon could not list its tools: ${(error as Error).message}` };
  }
}

/** Refuses names the server does not have (exact, as the policy matches them); `*` is always fine. */
export function checkGranted(options: { server: string; names: string[]; tools: string[] }): void {
  const missing = options.names.filter((name) => name !== ALL && !options.tools.includes(name));
  if (missing.length === 0) return;
  const available =
    options.tools.length > 0 ? `Its tools: ${[...options.tools].sort().join(", ")}.` : "It lists no tools.";
  throw new UsageError(
    `MCP server '${options.server}' has no tool named ${missing.map((n) => `'${n}'`).join(", ")}; nothing was changed. ${available}`,
  );
}

/** The new grant list; refuses revoking what is not granted by name (a typo would revoke nothing). */
export function applyEdit(
  current: string[],
  edit: { grant: string[]; revoke: string[]; where: string },
): string[] {
  const granted = new Set(current);
  for (const tool of edit.grant) granted.add(tool);
  for (const tool of edit.revoke) {
    if (tool === ALL) {
      granted.clear();
      continue;
    }
    if (!granted.delete(tool)) {
      const now = [...granted];
      throw new UsageError(
        now.includes(ALL)
          ? `'${tool}' is not granted by name: ${edit.where} grants '*' (every tool). Revoke '*', then grant the tools to keep; nothing was changed.`
          : `'${tool}' is not granted in ${edit.where}${now.length > 0 ? ` (granted: ${now.sort().join(", ")})` : " (nothing is)"}; nothing was changed.`,
      );
    }
  }
  return [...granted].sort();
}

/**
 * `mcp tools <name> --grant a,b | --revoke a,b | --grant-all [--audience A]`: edits
 * `Tools.AudienceProfiles.<A>.McpServerToolGrants.<name>` in netclaw.json (validated first).
 * Granted names are checked against the tools the running daemon got from the server; when that
 * list is unknown (daemon stopped, server not connected yet) the grant is written with a warning,
 * so a server can be set up before the daemon runs — the policy offers only tools the server lists.
 */
export async function editGrants(context: CliContext, name: string, options: GrantEdit): Promise<number> {
  const [key] = settingsEntry(context, name) ?? [];
  if (key === undefined) return 1;
  const audience = audienceOf(options.audience);
  const grant = [
    ...(options.grant === undefined ? [] : toolNames(options.grant, { flag: "--grant", server: key })),
    ...(options.grantAll ? [ALL] : []),
  ];
  const revoke =
    options.revoke === undefined ? [] : toolNames(options.revoke, { flag: "--revoke", server: key });
  if (grant.some((tool) => tool !== ALL)) {
    const offered = await serverTools(context, key);
    if (offered.known) checkGranted({ server: key, names: grant, tools: offered.tools });
    else
      printError(
        `warning: the tool names could not be checked (${offered.reason}); they are granted as written. Check them with \`netclaw mcp tools ${key}\` once the server is connected.`,
      );
  }
  const path = grantsPath(audience, key);
  return settings(() => {
    let result: string[] = [];
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        const current = getPath(file, path);
        result = applyEdit(Array.isArray(current) ? current.map(String) : [], {
          grant,
          revoke,
          where: `Tools.AudienceProfiles.${audience}.McpServerToolGrants.${key}`,
        });
        if (result.length === 0) unsetPath(file, path);
        else setPath(file, path, result);
      },
    });
    print(
      result.length === 0
        ? `No tools of '${key}' are granted to ${audience} now.`
        : `Granted to ${audience} from '${key}': ${result.includes(ALL) ? "every tool" : result.join(", ")}.`,
    );
    print(APPLIES);
    return 0;
  });
}

/** `entry`, with a ConfigError printed as `error:` + `fix:` (exit 1) like every settings command. */
function settingsEntry(context: CliContext, name: string) {
  let found: ReturnType<typeof entry> | undefined;
  const code = settings(() => {
    found = entry(context, name);
    return 0;
  });
  return code === 0 ? found : undefined;
}
