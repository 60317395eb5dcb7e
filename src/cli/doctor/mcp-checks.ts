import type { HealthStatus } from "../../protocol/health.ts";
import type { CheckLine } from "../output.ts";
import type { loadForDoctor } from "./checks.ts";

/**
 * One line per `McpServers.<name>`: the settings it needs, then — when the daemon answers — the
 * state it reports (connected, degraded with the reason, disabled).
 */
export function mcpServerChecks(
  state: ReturnType<typeof loadForDoctor>,
  status: HealthStatus | Error,
): CheckLine[] {
  const servers = state.loaded?.config.McpServers ?? {};
  const live = status instanceof Error ? undefined : status.mcp;
  return Object.entries(servers).map(([name, server]): CheckLine => {
    const check = `MCP ${name}`;
    const fix = `Fix McpServers.${name} (\`netclaw mcp get ${name}\`, \`netclaw mcp add ${name} …\`), then restart the daemon.`;
    if (!server.Enabled) return { name: check, severity: "pass", message: "disabled" };
    if (server.Transport === "stdio" && !server.Command)
      return { name: check, severity: "fail", message: "stdio server without Command", remediation: fix };
    if (server.Transport !== "stdio" && !server.Url)
      return {
        name: check,
        severity: "fail",
        message: `${server.Transport} server without Url`,
        remediation: fix,
      };
    const reported = live?.find((entry) => entry.name === name);
    if (!reported)
      return {
        name: check,
        severity: "pass",
        message: `configured (${server.Transport}); daemon state unknown`,
      };
    if (reported.state === "connected" && reported.tools > 0 && reported.granted === 0)
      return {
        name: check,
        severity: "warn",
        message: `connected (${reported.tools} tools), but none is granted to any audience`,
        remediation: `See them with \`netclaw mcp tools ${name}\` and grant some: \`netclaw mcp tools ${name} --grant <tool,…>\` (or --grant-all).`,
      };
    if (reported.state === "connected")
      return {
        name: check,
        severity: "pass",
        message: `connected (${reported.tools} tools${reported.granted === undefined ? "" : `, ${reported.granted} granted`})`,
      };
    return {
      name: check,
      severity: "warn",
      message: `${reported.state}: ${reported.error ?? "not connected"}`,
      remediation: `${fix} Its tools return an error until it answers; the daemon retries on the next call.`,
    };
  });
}
