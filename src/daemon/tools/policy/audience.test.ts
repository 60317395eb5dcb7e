import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../../config/schema.ts";
import { audienceForChannel, resolvePosture } from "./audience.ts";
import { PERSONAL, policyFixture } from "./fixtures/policy.ts";

test("posture and shell mode: no config is Public with the shell off", () => {
  assert.deepEqual(resolvePosture(undefined), { posture: "Public", shellMode: "Off" });
  assert.deepEqual(resolvePosture(configSchema.parse({})), { posture: "Public", shellMode: "Off" });
  assert.deepEqual(resolvePosture(configSchema.parse(PERSONAL)), {
    posture: "Personal",
    shellMode: "HostAllowed",
  });
  assert.deepEqual(resolvePosture(configSchema.parse({ Security: { DeploymentPosture: "Team" } })), {
    posture: "Team",
    shellMode: "Off",
  });
  const both = configSchema.parse({
    ...PERSONAL,
    Security: { DeploymentPosture: "Personal", ShellExecutionMode: "SandboxOnly" },
    Tools: { ShellMode: "Off" },
  });
  assert.equal(resolvePosture(both).shellMode, "Off");
});

test("audience from the channel: chat and headless Personal, reminders Team, webhooks and unknown Public", () => {
  assert.equal(audienceForChannel("chat"), "Personal");
  assert.equal(audienceForChannel("headless"), "Personal");
  assert.equal(audienceForChannel("reminder"), "Team");
  assert.equal(audienceForChannel("slack"), "Team");
  assert.equal(audienceForChannel("webhook"), "Public");
  assert.equal(audienceForChannel(""), "Public");
  assert.equal(audienceForChannel("something-new"), "Public");
});

test("tools outside the audience's profile are invisible and denied", async (t) => {
  const f = policyFixture(t);
  const names = (audience: "Personal" | "Team" | "Public") =>
    f.policy
      .visibleTools(audience, f.sessionDir, f.tools.values())
      .map((x) => x.name)
      .sort();
  assert.deepEqual(names("Public"), ["attach_file", "file_list", "file_read", "tool_output_read"]);
  assert.deepEqual(names("Team"), [
    "attach_file",
    "file_edit",
    "file_list",
    "file_read",
    "file_write",
    "set_working_directory",
    "tool_output_read",
    "web_fetch",
  ]);
  assert.equal(names("Personal").includes("shell_execute"), false, "no config: shell off even for Personal");
  const off = await f.evaluate({ tool: "shell_execute", args: { Command: "ls" } });
  assert.equal(off.outcome === "denied" && off.reason, "shell_disabled");
  const hidden = await f.evaluate({
    tool: "web_fetch",
    args: { Url: "https://example.com" },
    audience: "Public",
  });
  assert.equal(hidden.outcome === "denied" && hidden.reason, "tool_not_in_profile");

  const p = policyFixture(t, {
    config: {
      ...PERSONAL,
      Tools: {
        AudienceProfiles: {
          Team: { ToolsMode: "All" },
          Public: { ToolsMode: "Allowlist", AllowedTools: ["file_read"] },
        },
      },
    },
  });
  assert.equal(p.policy.visibleTools("Personal", p.sessionDir, p.tools.values()).length, 10);
  assert.equal(
    p.policy.visibleTools("Team", p.sessionDir, p.tools.values()).some((x) => x.name === "shell_execute"),
    false,
  );
  const team = await p.evaluate({ tool: "shell_execute", args: { Command: "ls" }, audience: "Team" });
  assert.equal(team.outcome === "denied" && team.reason, "shell_requires_personal_context");
  assert.deepEqual(
    p.policy.visibleTools("Public", p.sessionDir, p.tools.values()).map((x) => x.name),
    ["file_read"],
  );
  const sandbox = policyFixture(t, { config: { ...PERSONAL, Tools: { ShellMode: "SandboxOnly" } } });
  const denied = await sandbox.evaluate({ tool: "shell_execute", args: { Command: "ls" } });
  assert.equal(denied.outcome === "denied" && denied.reason, "shell_requires_sandbox_backend");
});

test("file roots can be widened per audience with placeholders", async (t) => {
  const f = policyFixture(t, {
    config: {
      Tools: {
        AudienceProfiles: { Team: { ReadFiles: { Mode: "Roots", Roots: ["{netclaw_home}/environment"] } } },
      },
    },
  });
  assert.equal(
    (
      await f.evaluate({
        tool: "file_read",
        args: { Path: `${f.home.environmentDir}/x.md` },
        audience: "Team",
      })
    ).outcome,
    "allowed",
  );
  assert.equal(
    (
      await f.evaluate({
        tool: "file_read",
        args: { Path: `${f.home.identityDir}/SOUL.md` },
        audience: "Public",
      })
    ).outcome,
    "allowed",
    "identity is always readable",
  );
  const write = await f.evaluate({
    tool: "file_write",
    args: { Path: `${f.home.environmentDir}/x.md`, Content: "" },
    audience: "Team",
  });
  assert.equal(write.outcome === "denied" && write.reason, "path_outside_allowed_roots");
});
