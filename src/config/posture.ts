import type { NetclawConfig } from "./schema.ts";

export type Posture = "Personal" | "Team" | "Public";
export type ShellMode = "Off" | "SandboxOnly" | "HostAllowed";

/**
 * `Security.DeploymentPosture` (missing → Public under StrictDefaults, the default) and the
 * effective shell mode: `Tools.ShellMode ?? Security.ShellExecutionMode ?? (HostAllowed for a
 * Personal posture, else Off)`. No config at all → Public with the shell off. Shared by the
 * daemon's tool policy and `netclaw doctor`.
 */
export function resolvePosture(config: NetclawConfig | undefined): {
  posture: Posture;
  shellMode: ShellMode;
} {
  const security = config?.Security;
  const posture: Posture =
    security?.DeploymentPosture ?? (security?.StrictDefaults === false ? "Personal" : "Public");
  const shellMode: ShellMode =
    config?.Tools.ShellMode ??
    security?.ShellExecutionMode ??
    (posture === "Personal" ? "HostAllowed" : "Off");
  return { posture, shellMode };
}
