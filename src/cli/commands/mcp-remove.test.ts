import assert from "node:assert/strict";
import { test } from "node:test";
import { removeServerReferences } from "./mcp-remove.ts";

test("removeServerReferences: every reference to the server in every profile, case-insensitively; other servers untouched", () => {
  const profile = (extra: object) => ({
    McpServerToolGrants: { Files: ["*"], filesystem: ["read"] },
    ApprovalPolicy: {
      McpServerDefaults: { FILES: "Auto", filesystem: "Approval" },
      ToolOverrides: {
        "files/write": "Deny",
        "Files/read": "Auto",
        "filesystem/x": "Deny",
        shell_execute: "Approval",
      },
    },
    ...extra,
  });
  const file = {
    McpServers: { Files: { Command: "x" }, filesystem: { Command: "y" } },
    Tools: {
      AudienceProfiles: {
        Personal: profile({}),
        team: profile({ AllowedMcpServers: ["filesystem", "FILES"] }),
        Public: { AllowedMcpServers: ["files"] },
      },
    },
  };
  const removed = removeServerReferences(file, "files");
  assert.deepEqual(file, {
    McpServers: { filesystem: { Command: "y" } },
    Tools: {
      AudienceProfiles: {
        Personal: {
          McpServerToolGrants: { filesystem: ["read"] },
          ApprovalPolicy: {
            McpServerDefaults: { filesystem: "Approval" },
            ToolOverrides: { "filesystem/x": "Deny", shell_execute: "Approval" },
          },
        },
        team: {
          McpServerToolGrants: { filesystem: ["read"] },
          ApprovalPolicy: {
            McpServerDefaults: { filesystem: "Approval" },
            ToolOverrides: { "filesystem/x": "Deny", shell_execute: "Approval" },
          },
          AllowedMcpServers: ["filesystem"],
        },
        Public: { AllowedMcpServers: [] },
      },
    },
  });
  assert.equal(removed.length, 1 + 4 + 5 + 1);
  assert.ok(removed.includes("McpServers.Files"));
  assert.ok(removed.includes('Tools.AudienceProfiles.team.ApprovalPolicy.ToolOverrides."Files/read"'));
  assert.ok(removed.includes('Tools.AudienceProfiles.Personal.McpServerToolGrants.Files (["*"])'));
  assert.deepEqual(removeServerReferences(file, "files"), [], "a second pass finds nothing");
});
