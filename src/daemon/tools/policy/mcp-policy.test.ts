import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../../config/schema.ts";
import { mcpAccess, mcpApprovalMode, mcpRefusal } from "./mcp-policy.ts";

const echo = { server: "files", tool: "echo" };

test("an MCP server starts with no grants: its tools are refused to every audience", () => {
  const config = configSchema.parse({});
  assert.deepEqual(mcpAccess({ config, mcp: echo }), {
    Personal: "not granted",
    Team: "server not allowed",
    Public: "server not allowed",
  });
  assert.match(
    mcpRefusal({ config, audience: "Personal", mcp: echo })!.message,
    /files\/echo is not granted to the Personal audience\. Grant it with `netclaw mcp tools files --audience Personal --grant echo`/,
  );
});

test("grants name tools or '*', server names match case-insensitively; Team needs the server allow-listed", () => {
  const config = configSchema.parse({
    Tools: {
      AudienceProfiles: {
        Personal: { McpServerToolGrants: { FILES: ["echo"] } },
        Team: { McpServerToolGrants: { files: ["*"] } },
        Public: {
          McpServersMode: "Allowlist",
          AllowedMcpServers: ["Files"],
          McpServerToolGrants: { files: ["other"] },
        },
      },
    },
  });
  assert.deepEqual(mcpAccess({ config, mcp: echo }), {
    Personal: "Auto",
    Team: "server not allowed",
    Public: "not granted",
  });
  assert.equal(mcpAccess({ config, mcp: { server: "files", tool: "delete" } }).Personal, "not granted");
  const team = configSchema.parse({
    Tools: { AudienceProfiles: { Team: { McpServersMode: "All", McpServerToolGrants: { files: ["*"] } } } },
  });
  assert.equal(mcpAccess({ config: team, mcp: { server: "files", tool: "anything" } }).Team, "Auto");
});

test("approval mode precedence: exact server/tool override, then the server default, then DefaultMode", () => {
  const config = (policy: Record<string, unknown>) =>
    configSchema.parse({ Tools: { AudienceProfiles: { Personal: { ApprovalPolicy: policy } } } });
  const mode = (policy: Record<string, unknown>) =>
    mcpApprovalMode({ config: config(policy), audience: "Personal", mcp: echo });
  assert.equal(mode({}), "Auto");
  assert.equal(mode({ DefaultMode: "Approval" }), "Approval");
  assert.equal(mode({ DefaultMode: "Approval", McpServerDefaults: { files: "Auto" } }), "Auto");
  assert.equal(
    mode({
      DefaultMode: "Auto",
      McpServerDefaults: { files: "Approval" },
      ToolOverrides: { "files/echo": "Deny" },
    }),
    "Deny",
  );
  assert.equal(
    mode({ McpServerDefaults: { files: "Deny" }, ToolOverrides: { "files/echo": "Auto" } }),
    "Auto",
  );
  const denied = configSchema.parse({
    Tools: {
      AudienceProfiles: {
        Personal: {
          McpServerToolGrants: { files: ["*"] },
          ApprovalPolicy: { McpServerDefaults: { files: "Deny" } },
        },
      },
    },
  });
  assert.equal(mcpRefusal({ config: denied, audience: "Personal", mcp: echo })?.reason, "approval_mode_deny");
});
