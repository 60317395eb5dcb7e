import type { NetclawConfig } from "../../config/schema.ts";

type Audience = "Personal" | "Team" | "Public";

/**
 * Which MCP servers' tools an audience is offered: `Tools.AudienceProfiles.<Audience>.McpServersMode`
 * `All` or `Allowlist` (+ `AllowedMcpServers`, names case-insensitive); by default Personal gets
 * every server and Team and Public none. A server whose `ApprovalPolicy.McpServerDefaults` entry
 * is `Deny` is never offered to that audience.
 */
export function mcpServerFilter(options: {
  audience: Audience;
  profiles: NetclawConfig["Tools"]["AudienceProfiles"];
}): (server: string) => boolean {
  const profile = options.profiles[options.audience];
  const mode = profile?.McpServersMode ?? (options.audience === "Personal" ? "All" : "Allowlist");
  const allowed = new Set((profile?.AllowedMcpServers ?? []).map((name) => name.toLowerCase()));
  const denied = new Set(
    Object.entries(profile?.ApprovalPolicy?.McpServerDefaults ?? {})
      .filter(([, value]) => value === "Deny")
      .map(([name]) => name.toLowerCase()),
  );
  return (server) => {
    const key = server.toLowerCase();
    if (denied.has(key)) return false;
    return mode === "All" || allowed.has(key);
  };
}
