import type { NetclawConfig } from "../../../config/schema.ts";
import { findKey } from "../../../config/tree.ts";
import type { ApprovalMode } from "./approval-mode.ts";
import type { Audience } from "./audience.ts";

/** A grant list entry that covers every tool of a server (`netclaw mcp add --grant-all`). */
export const ALL_MCP_TOOLS = "*";

type McpTool = { server: string; tool: string };

/** A record entry by key, case-insensitively (config keys are matched that way everywhere). */
function lookup<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  const found = record ? findKey(record, key) : undefined;
  return found === undefined ? undefined : record![found];
}

function profileOf(config: NetclawConfig | undefined, audience: Audience) {
  return config?.Tools.AudienceProfiles[audience];
}

/**
 * Whether an audience may use a server at all: `McpServersMode` `All`, or `Allowlist` with the
 * server in `AllowedMcpServers`. By default Personal gets every server, Team and Public none
 * (reference/security.md §4).
 */
export function mcpServerAdmitted(options: {
  config: NetclawConfig | undefined;
  audience: Audience;
  server: string;
}): boolean {
  const profile = profileOf(options.config, options.audience);
  const mode = profile?.McpServersMode ?? (options.audience === "Personal" ? "All" : "Allowlist");
  if (mode === "All") return true;
  const key = options.server.toLowerCase();
  return (profile?.AllowedMcpServers ?? []).some((name) => name.toLowerCase() === key);
}

/**
 * Whether the tool is granted to the audience: servers start with no grants, so a tool is usable
 * only once `McpServerToolGrants.<server>` names it (or holds `*`).
 */
export function mcpToolGranted(options: {
  config: NetclawConfig | undefined;
  audience: Audience;
  mcp: McpTool;
}): boolean {
  const grants = lookup(profileOf(options.config, options.audience)?.McpServerToolGrants, options.mcp.server);
  return (grants ?? []).some((name) => name === ALL_MCP_TOOLS || name === options.mcp.tool);
}

/**
 * The approval mode of an MCP tool (reference/security.md §5): an exact `ToolOverrides`
 * entry for `<server>/<tool>`, else the server's `McpServerDefaults` entry, else `DefaultMode`,
 * else Auto.
 */
export function mcpApprovalMode(options: {
  config: NetclawConfig | undefined;
  audience: Audience;
  mcp: McpTool;
}): ApprovalMode {
  const policy = profileOf(options.config, options.audience)?.ApprovalPolicy;
  const { server, tool } = options.mcp;
  return (
    lookup(policy?.ToolOverrides, `${server}/${tool}`) ??
    lookup(policy?.McpServerDefaults, server) ??
    policy?.DefaultMode ??
    "Auto"
  );
}

/** Why an audience may not use an MCP tool (undefined when it may, approval aside). */
export function mcpRefusal(options: {
  config: NetclawConfig | undefined;
  audience: Audience;
  mcp: McpTool;
}): { reason: string; message: string } | undefined {
  const { audience, mcp } = options;
  const name = `${mcp.server}/${mcp.tool}`;
  if (!mcpServerAdmitted({ ...options, server: mcp.server }))
    return {
      reason: "mcp_server_not_allowed",
      message: `Tool access denied: the MCP server '${mcp.server}' is not available to the ${audience} audience (Tools.AudienceProfiles.${audience}.McpServersMode / AllowedMcpServers).`,
    };
  if (!mcpToolGranted(options))
    return {
      reason: "mcp_tool_not_granted",
      message: `Tool access denied: ${name} is not granted to the ${audience} audience. Grant it with \`netclaw mcp tools ${mcp.server} --audience ${audience} --grant ${mcp.tool}\`.`,
    };
  if (mcpApprovalMode(options) === "Deny")
    return {
      reason: "approval_mode_deny",
      message: `Tool access denied: ${name} is set to Deny for the ${audience} audience.`,
    };
  return undefined;
}

/** How an audience may use one MCP tool: its approval mode, or why it may not. */
export type McpAccess = ApprovalMode | "not granted" | "server not allowed";

/** The access of each audience to an MCP tool (for `netclaw mcp tools` and the API). */
export function mcpAccess(options: {
  config: NetclawConfig | undefined;
  mcp: McpTool;
}): Record<Audience, McpAccess> {
  const of = (audience: Audience): McpAccess => {
    if (!mcpServerAdmitted({ config: options.config, audience, server: options.mcp.server }))
      return "server not allowed";
    if (!mcpToolGranted({ ...options, audience })) return "not granted";
    return mcpApprovalMode({ ...options, audience });
  };
  return { Personal: of("Personal"), Team: of("Team"), Public: of("Public") };
}
