import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import type { McpServerConfig } from "../../config/schema.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../output.ts";

export const AUDIENCES = ["Personal", "Team", "Public"] as const;
export type Audience = (typeof AUDIENCES)[number];

/** What a running daemon does with the edit: it watches its config directory and restarts in place. */
export const APPLIES = "A running daemon applies this within seconds (it restarts itself in place).";

export function audienceOf(value: string | undefined): Audience {
  const found = AUDIENCES.find((a) => a.toLowerCase() === (value ?? "Personal").toLowerCase());
  if (!found) throw new UsageError(`--audience takes Personal, Team or Public, not '${value}'.`);
  return found;
}

/** `Tools.AudienceProfiles.<audience>.McpServerToolGrants.<server>`. */
export const grantsPath = (audience: string, server: string) => [
  "Tools",
  "AudienceProfiles",
  audience,
  "McpServerToolGrants",
  server,
];

/** The configured servers (netclaw.json, secrets.json and the environment, as the daemon loads them). */
export function servers(context: CliContext): Record<string, McpServerConfig> {
  return loadHomeConfig({ paths: context.paths, env: context.env }).config.McpServers;
}

/** The entry of `name`, matched case-insensitively like every config key; ConfigError when absent. */
export function entry(context: CliContext, name: string): [string, McpServerConfig] {
  const found = Object.entries(servers(context)).find(([key]) => key.toLowerCase() === name.toLowerCase());
  if (!found)
    throw new ConfigError("mcp_server_unknown", `No MCP server named '${name}' is configured.`, {
      remediation: "See `netclaw mcp list`, or add it with `netclaw mcp add`.",
    });
  return found;
}
