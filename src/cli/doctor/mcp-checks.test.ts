import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../config/schema.ts";
import type { HealthStatus } from "../../protocol/health.ts";
import type { loadForDoctor } from "./checks.ts";
import { mcpServerChecks } from "./mcp-checks.ts";

const state = {
  loaded: { config: configSchema.parse({ McpServers: { files: { Command: "mcp-files" } } }) },
} as unknown as ReturnType<typeof loadForDoctor>;
const reporting = (server: Partial<NonNullable<HealthStatus["mcp"]>[number]>) =>
  ({ mcp: [{ name: "files", transport: "stdio", state: "connected", tools: 3, ...server }] }) as HealthStatus;

test("doctor: a connected MCP server nobody may use is a warning that says how to grant its tools", () => {
  const [line] = mcpServerChecks(state, reporting({ granted: 0 }));
  assert.equal(line!.severity, "warn");
  assert.match(line!.message, /connected \(3 tools\), but none is granted to any audience/);
  assert.match(line!.remediation!, /netclaw mcp tools files --grant <tool,…>/);
  const [granted] = mcpServerChecks(state, reporting({ granted: 2 }));
  assert.deepEqual([granted!.severity, granted!.message], ["pass", "connected (3 tools, 2 granted)"]);
  const [down] = mcpServerChecks(state, reporting({ state: "degraded", error: "spawn mcp-files ENOENT" }));
  assert.equal(down!.severity, "warn");
  assert.match(down!.message, /degraded: spawn mcp-files ENOENT/);
});
