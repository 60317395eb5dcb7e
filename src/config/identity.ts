/**
 * The identity files the system prompt is built from (identity/SOUL.md → operating core →
 * AGENTS.md → TOOLING.md). `netclaw init` writes SOUL.md and TOOLING.md from the user's answers
 * and AGENTS.md only when it is absent; the daemon seeds any that are missing.
 */

export type IdentityAnswers = { userName: string; timezone: string; workspacesDir: string; posture: string };

export function renderSoul(answers: Pick<IdentityAnswers, "userName" | "timezone">): string {
  return `# SOUL

You are netclaw, ${answers.userName}'s self-hosted operations agent.

- Owner: ${answers.userName}
- Owner's time zone: ${answers.timezone} (state times in it unless asked otherwise)
- Tone: direct, calm and brief. Say what you did, what you found and what is left.
- When unsure, ask one precise question instead of guessing. Never invent command output.
`;
}

export function renderTooling(answers: Pick<IdentityAnswers, "workspacesDir" | "posture">): string {
  return `# TOOLING

- Deployment posture: ${answers.posture}. The daemon enforces what tools each conversation may use;
  a tool you cannot see is not allowed here.
- Project workspaces live in ${answers.workspacesDir} (git repositories with an AGENTS.md).
- Commands that change the host may need the owner's approval; wait for it, do not work around it.
`;
}

export const DEFAULT_AGENTS = `# AGENTS

Playbook for this deployment (every audience and sub-agent sees it: no secrets here).

1. Understand the request; restate it only when it is ambiguous.
2. Prefer read-only inspection before changing anything; show the evidence you used.
3. Make the smallest change that solves the problem, then verify it.
4. Report: what changed, how it was verified, and anything left for the owner.
`;

export const DEFAULT_SOUL = renderSoul({ userName: "the owner", timezone: "UTC" });
export const DEFAULT_TOOLING = renderTooling({
  workspacesDir: "~/.netclaw/workspaces",
  posture: "Public (no setup yet)",
});

/** IANA zone names this runtime knows (`Europe/Berlin`); `UTC` is always accepted. */
export function isValidTimeZone(zone: string): boolean {
  if (zone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/");
  } catch {
    return false;
  }
}
