import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../config/atomic-write.ts";
import { editConfigFile, unsetPath } from "../../config/config-file.ts";
import type { HomePaths } from "../../config/home.ts";
import { DEFAULT_AGENTS, renderSoul, renderTooling } from "../../config/identity.ts";
import type { providerType } from "../../config/schema.ts";
import { setSecret } from "../../config/secrets-file.ts";
import { setPath, type Tree } from "../../config/tree.ts";

export type ProviderType = (typeof providerType.options)[number];
export const POSTURES = ["Personal", "Team", "Public"] as const;
export type Posture = (typeof POSTURES)[number];
/** The switchable features init offers. Search and SubAgents are not implemented yet, so not offered. */
export const FEATURES = ["Memory", "Scheduling", "Webhooks"] as const;
/** Sections an earlier init wrote that no code reads yet (unsupported-keys.ts); a re-run drops them. */
const RETIRED_FEATURES = ["Search", "SubAgents"];
export type Feature = (typeof FEATURES)[number];

/** Everything `netclaw init` asks; nothing is written until all of it is known. */
export type InitAnswers = {
  provider: { name: string; type: ProviderType; endpoint?: string; apiKey?: string };
  modelId: string;
  userName: string;
  timezone: string;
  workspacesDir: string;
  posture: Posture;
  /** Features switched on (Team/Public ask; Personal gets all). */
  features: Feature[];
  exposure: { mode: string; host?: string; trustedProxies?: string[] };
};

export const POSTURE_HELP: Record<Posture, string> = {
  Personal: "just you: every tool, host shell behind an approval prompt",
  Team: "trusted colleagues: files, web and reminders in a sandboxed session folder; no shell",
  Public: "anyone: read-only file tools in the session folder; no shell, memory or webhooks",
};

/**
 * Writes the answers: netclaw.json (merged over what is there, atomically), the API key
 * encrypted into secrets.json, identity/SOUL.md and TOOLING.md, and AGENTS.md only if absent.
 * Returns the files written.
 */
export function applyAnswers(
  context: { paths: HomePaths; env: NodeJS.ProcessEnv },
  answers: InitAnswers,
): string[] {
  const { paths } = context;
  const apiKeyPath = ["Providers", answers.provider.name, "ApiKey"];
  // The one validation of every netclaw.json writer (config-file.ts): the merged file, the API
  // key about to go into secrets.json and the environment, as the daemon would load them.
  // Throws the daemon's ConfigError before anything is written.
  editConfigFile({
    paths,
    env: context.env,
    edit: (file) => setAnswers(file, answers),
    ...(answers.provider.apiKey
      ? { editSecrets: (plain: Tree) => setPath(plain, apiKeyPath, answers.provider.apiKey) }
      : {}),
  });
  const written: string[] = [paths.configFile];
  if (answers.provider.apiKey) {
    setSecret({
      secretsPath: paths.secretsFile,
      keyPath: paths.secretsKey,
      dottedKey: `Providers.${answers.provider.name}.ApiKey`,
      value: answers.provider.apiKey,
    });
    written.push(paths.secretsFile);
  }
  writeFileAtomic(join(paths.identityDir, "SOUL.md"), renderSoul(answers));
  writeFileAtomic(join(paths.identityDir, "TOOLING.md"), renderTooling(answers));
  written.push(join(paths.identityDir, "SOUL.md"), join(paths.identityDir, "TOOLING.md"));
  const agents = join(paths.identityDir, "AGENTS.md");
  if (!existsSync(agents)) {
    writeFileAtomic(agents, DEFAULT_AGENTS);
    written.push(agents);
  }
  mkdirSync(answers.workspacesDir.replace(/^~(?=\/|$)/, process.env.HOME ?? "~"), { recursive: true });
  return written;
}

/** The answers merged into netclaw.json's tree (what is there and not asked about stays). */
function setAnswers(file: Tree, answers: InitAnswers): void {
  const set = (path: string[], value: unknown) => setPath(file, path, value);
  set(["configVersion"], 1);
  set(["Providers", answers.provider.name, "Type"], answers.provider.type);
  if (answers.provider.endpoint)
    set(["Providers", answers.provider.name, "Endpoint"], answers.provider.endpoint);
  set(["Models", "Main"], { Provider: answers.provider.name, ModelId: answers.modelId });
  set(["Security", "DeploymentPosture"], answers.posture);
  set(["Security", "StrictDefaults"], true);
  set(["Tools", "ShellMode"], answers.posture === "Personal" ? "HostAllowed" : "Off");
  if (answers.posture === "Personal") {
    set(
      ["Tools", "AudienceProfiles", "Personal", "ApprovalPolicy", "ToolOverrides", "shell_execute"],
      "Approval",
    );
  }
  for (const feature of FEATURES) {
    const on =
      answers.posture === "Personal"
        ? feature !== "Webhooks" || answers.features.includes("Webhooks")
        : answers.features.includes(feature);
    set([feature, "Enabled"], on);
  }
  for (const section of RETIRED_FEATURES) unsetPath(file, [section]);
  set(["Workspaces", "Directory"], answers.workspacesDir);
  if (answers.exposure.mode !== "local") {
    set(["Daemon", "ExposureMode"], answers.exposure.mode);
    if (answers.exposure.host) set(["Daemon", "Host"], answers.exposure.host);
    if (answers.exposure.trustedProxies) set(["Daemon", "TrustedProxies"], answers.exposure.trustedProxies);
  }
}
