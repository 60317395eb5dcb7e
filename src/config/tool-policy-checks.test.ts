import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { configSchema } from "./schema.ts";
import { toolPolicyChecks } from "./tool-policy-checks.ts";

function temp(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-policy-checks-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "tool-approvals.json");
}

test("a default config passes: Public posture, shell off, no grants file yet", (t) => {
  const approvalsFile = temp(t);
  const checks = toolPolicyChecks({ config: configSchema.parse({}), approvalsFile });
  assert.deepEqual(
    checks.map((c) => [c.name, c.severity]),
    [
      ["Tool Policy", "pass"],
      ["Tool Approvals", "pass"],
    ],
  );
  assert.match(checks[0]!.message, /Public posture, shell Off/);
});

test("shell for Team or Public, an ungated Personal shell and a broken grants file are reported", (t) => {
  const approvalsFile = temp(t);
  writeFileSync(approvalsFile, '{"version": 7, "grants": {}}');
  const config = configSchema.parse({
    Security: { DeploymentPosture: "Personal" },
    Tools: {
      AudienceProfiles: {
        Team: { ToolsMode: "Allowlist", AllowedTools: ["file_read", "shell_execute"] },
        Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } },
      },
    },
  });
  const checks = toolPolicyChecks({ config, approvalsFile });
  assert.deepEqual(
    checks.map((c) => c.severity),
    ["warn", "warn", "fail"],
  );
  assert.match(checks[0]!.message, /the Team profile is configured with the host shell/);
  assert.match(checks[1]!.message, /without an approval gate/);
  assert.match(
    checks[2]!.message,
    /version 7, newer than this netclaw understands.*approval_store_unavailable/,
  );
  const team = toolPolicyChecks({
    config: configSchema.parse({
      Security: { DeploymentPosture: "Team" },
      Tools: { ShellMode: "HostAllowed" },
    }),
    approvalsFile: temp(t),
  });
  assert.match(team[0]!.message, /a Team deployment is configured with the host shell/);
});
