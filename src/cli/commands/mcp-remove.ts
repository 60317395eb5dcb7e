import { editConfigFile, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { readJsonObject } from "../../config/loader.ts";
import { removeSecret } from "../../config/secrets-file.ts";
import { createGrantStore } from "../../config/tool-approvals.ts";
import { findKey, getPath, isTree, type Tree } from "../../config/tree.ts";
import type { CliContext } from "../context.ts";
import { print } from "../output.ts";
import { settings } from "./config.ts";
import { APPLIES, servers } from "./mcp-shared.ts";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether a `<server>/<tool>` name (ToolOverrides key, approval grant) belongs to the server. */
const ofServer = (name: string, server: string) => name.toLowerCase().startsWith(`${server.toLowerCase()}/`);

/**
 * Removes from netclaw.json everything that names the server: its McpServers entry and, in every
 * audience profile, its tool grants, approval default, `<server>/…` tool overrides and its
 * AllowedMcpServers entry. Returns a line per removal.
 */
export function removeServerReferences(file: Tree, server: string): string[] {
  const removed: string[] = [];
  const servers = getPath(file, ["McpServers"]);
  const key = isTree(servers) ? findKey(servers, server) : undefined;
  if (key !== undefined && unsetPath(file, ["McpServers", key])) removed.push(`McpServers.${key}`);
  const profiles = getPath(file, ["Tools", "AudienceProfiles"]);
  if (!isTree(profiles)) return removed;
  for (const [audience, profile] of Object.entries(profiles)) {
    if (!isTree(profile)) continue;
    const at = `Tools.AudienceProfiles.${audience}`;
    for (const section of [["McpServerToolGrants"], ["ApprovalPolicy", "McpServerDefaults"]]) {
      const record = getPath(profile, section);
      const found = isTree(record) ? findKey(record, server) : undefined;
      if (found === undefined || !isTree(record)) continue;
      removed.push(`${at}.${section.join(".")}.${found} (${JSON.stringify(record[found])})`);
      unsetPath(profile, [...section, found]);
    }
    const overrides = getPath(profile, ["ApprovalPolicy", "ToolOverrides"]);
    if (isTree(overrides))
      for (const name of Object.keys(overrides).filter((n) => ofServer(n, server))) {
        removed.push(`${at}.ApprovalPolicy.ToolOverrides."${name}"`);
        unsetPath(profile, ["ApprovalPolicy", "ToolOverrides", name]);
      }
    const allowedKey = findKey(profile, "AllowedMcpServers");
    const allowed = allowedKey === undefined ? undefined : profile[allowedKey];
    if (allowedKey !== undefined && Array.isArray(allowed) && allowed.some((n) => same(String(n), server))) {
      removed.push(`${at}.AllowedMcpServers entry '${server}'`);
      profile[allowedKey] = allowed.filter((n) => !same(String(n), server));
    }
  }
  return removed;
}

/** Environment variables that define (part of) the server: a file edit cannot remove those. */
function environmentKeys(env: NodeJS.ProcessEnv, server: string): string[] {
  const prefix = `netclaw_mcpservers__${server.toLowerCase()}`;
  return Object.keys(env).filter(
    (k) => k.toLowerCase() === prefix || k.toLowerCase().startsWith(`${prefix}__`),
  );
}

/**
 * `mcp remove <name>`: the server and everything that refers to it — grants, approval defaults,
 * tool overrides and allow-list entries in every audience profile, the persistent approvals of
 * its tools (config/tool-approvals.json) and its header secrets — or nothing at all when any part
 * cannot be done (environment-defined server, unreadable approvals file, invalid result). A name
 * no longer configured but still referred to is cleaned up the same way.
 */
export function mcpRemove(context: CliContext, name: string): number {
  return settings(() => {
    const key = Object.keys(servers(context)).find((k) => same(k, name)) ?? name;
    const fromEnv = environmentKeys(context.env, key);
    if (fromEnv.length > 0)
      throw new ConfigError(
        "mcp_server_in_environment",
        `MCP server '${key}' is set by environment variables (${fromEnv.join(", ")}); nothing was changed.`,
        {
          remediation:
            "Remove those variables from the daemon's environment (and this shell's), then run `netclaw mcp remove` again.",
        },
      );
    const approvals = createGrantStore({ path: context.paths.approvalsFile });
    const status = approvals.status();
    if (!status.ok)
      throw new ConfigError(
        "approval_store_unavailable",
        `The approvals of '${key}' cannot be removed: ${status.reason}; nothing was changed.`,
        {
          remediation: `Repair or move ${context.paths.approvalsFile} (see \`netclaw doctor\`), then run again.`,
        },
      );
    const configured = Object.keys(servers(context)).some((k) => same(k, key));
    const inFile =
      removeServerReferences(readJsonObject(context.paths.configFile).tree ?? {}, key).length > 0;
    if (!configured && !inFile && !approvals.list().some((g) => ofServer(g.tool, key)))
      throw new ConfigError("mcp_server_unknown", `No MCP server named '${name}' is configured.`, {
        remediation: "See `netclaw mcp list`, or add it with `netclaw mcp add`.",
      });
    let removed: string[] = [];
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        removed = removeServerReferences(file, key);
      },
    });
    const revoked = approvals.revoke((g) => ofServer(g.tool, key));
    if (revoked > 0)
      removed.push(
        `${revoked} persistent approval${revoked === 1 ? "" : "s"} of its tools in ${context.paths.approvalsFile}`,
      );
    if (
      removeSecret({
        secretsPath: context.paths.secretsFile,
        keyPath: context.paths.secretsKey,
        dottedKey: `McpServers.${key}`,
      })
    )
      removed.push(`McpServers.${key} in secrets.json (header values)`);
    print(`Removed MCP server '${key}' and everything that referred to it:`);
    for (const line of removed) print(`  ${line}`);
    print(APPLIES);
    return 0;
  });
}
