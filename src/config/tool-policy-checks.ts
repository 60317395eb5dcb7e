import { resolvePosture } from "./posture.ts";
import type { NetclawConfig } from "./schema.ts";
import { createGrantStore } from "./tool-approvals.ts";

/** One doctor line (the CLI's CheckLine shape). */
export type PolicyCheck = {
  name: string;
  severity: "pass" | "warn" | "fail";
  message: string;
  remediation?: string;
};

function grantsShell(config: NetclawConfig, audience: "Team" | "Public"): boolean {
  const profile = config.Tools.AudienceProfiles[audience];
  if (profile?.ToolsMode === "All") return true;
  return profile?.ToolsMode === "Allowlist" && (profile.AllowedTools ?? []).includes("shell_execute");
}

/**
 * The doctor's tool-policy checks (issue 4 §3): a Team or Public profile with the shell, a
 * Personal host shell without an approval gate, and a grants file that cannot be trusted.
 */
export function toolPolicyChecks(options: { config: NetclawConfig; approvalsFile: string }): PolicyCheck[] {
  const { config } = options;
  const { posture, shellMode } = resolvePosture(config);
  const checks: PolicyCheck[] = [];
  const shellAudiences = (["Team", "Public"] as const).filter((a) => grantsShell(config, a));
  if (shellAudiences.length > 0 || (posture !== "Personal" && shellMode === "HostAllowed")) {
    const who =
      shellAudiences.length > 0 ? `the ${shellAudiences.join(" and ")} profile` : `a ${posture} deployment`;
    checks.push({
      name: "Tool Policy",
      severity: "warn",
      message: `${who} is configured with the host shell (shell_execute); it only ever runs for Personal conversations, and anyone in a shared channel must never reach it`,
      remediation:
        "remove shell_execute from Tools.AudienceProfiles.Team/Public and set Tools.ShellMode to Off unless the posture is Personal",
    });
  }
  const override = config.Tools.AudienceProfiles.Personal?.ApprovalPolicy?.ToolOverrides?.shell_execute;
  if (shellMode === "HostAllowed" && override === "Auto") {
    checks.push({
      name: "Tool Policy",
      severity: "warn",
      message: "the Personal host shell runs without an approval gate (ToolOverrides.shell_execute is Auto)",
      remediation:
        "remove Tools.AudienceProfiles.Personal.ApprovalPolicy.ToolOverrides.shell_execute, or set it to Approval",
    });
  }
  if (checks.length === 0) {
    checks.push({ name: "Tool Policy", severity: "pass", message: `${posture} posture, shell ${shellMode}` });
  }
  const status = createGrantStore({ path: options.approvalsFile }).status();
  checks.push(
    status.ok
      ? { name: "Tool Approvals", severity: "pass", message: `${options.approvalsFile} is readable` }
      : {
          name: "Tool Approvals",
          severity: "fail",
          message: `${status.reason}; every call that needs a grant is denied (approval_store_unavailable)`,
          remediation: `fix the file or move it aside (\`mv ${options.approvalsFile} ${options.approvalsFile}.bak\`) and grant again`,
        },
  );
  return checks;
}
