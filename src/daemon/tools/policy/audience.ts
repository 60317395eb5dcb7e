import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { HomePaths } from "../../../config/home.ts";
import type { Posture } from "../../../config/posture.ts";
import type { NetclawConfig } from "../../../config/schema.ts";

export type Audience = Posture;
export type { ShellMode } from "../../../config/posture.ts";
export type FileRoots = "all" | string[];

export type AudienceProfile = {
  audience: Audience;
  tools: "all" | ReadonlySet<string>;
  read: FileRoots;
  write: FileRoots;
  attach: FileRoots;
};

const PERSONAL_CHANNELS = new Set(["chat", "cli", "tui", "headless", "console", "manual", "signalr"]);
const TEAM_CHANNELS = new Set(["slack", "discord", "mattermost", "reminder", "timer"]);

/**
 * The audience of an input from its channel type (reference/security.md §4): the operator's own
 * CLI chat and headless runs are Personal, chat platforms and reminders Team, and webhooks or
 * anything unknown Public — an unrecognised channel never gets more than the least.
 */
export function audienceForChannel(channel: string): Audience {
  const key = channel.trim().toLowerCase();
  if (PERSONAL_CHANNELS.has(key)) return "Personal";
  if (TEAM_CHANNELS.has(key)) return "Team";
  return "Public";
}

/** Channels with nobody to answer an approval prompt: a would-prompt call is denied instead. */
const UNATTENDED_CHANNELS: ReadonlySet<string> = new Set(["headless", "reminder", "webhook"]);

export function isUnattendedChannel(channel: string): boolean {
  return UNATTENDED_CHANNELS.has(channel);
}

export { resolvePosture } from "../../../config/posture.ts";

const TEAM_TOOLS = [
  "file_read",
  "file_list",
  "file_write",
  "file_edit",
  "attach_file",
  "web_search",
  "web_fetch",
  "skill_manage",
  "set_reminder",
  "list_reminders",
  "cancel_reminder",
  "complete_reminder",
  "set_working_directory",
  "tool_output_read",
];
const PUBLIC_TOOLS = ["file_read", "file_list", "attach_file", "tool_output_read"];

export type ProfileInputs = {
  audience: Audience;
  config: NetclawConfig | undefined;
  home: HomePaths;
  sessionDir: string;
};

/**
 * The audience's tools and file roots: the defaults of reference/security.md §4 (Personal: all;
 * Team and Public: the session directory), each part replaceable by `Tools.AudienceProfiles`.
 * Skills, identity and workspaces stay readable whenever read access is limited to roots.
 */
export function resolveProfile(inputs: ProfileInputs): AudienceProfile {
  const { audience, home, sessionDir } = inputs;
  const custom = inputs.config?.Tools.AudienceProfiles[audience];
  const placeholders: Record<string, string> = {
    "{session_dir}": sessionDir,
    "{skills_dir}": join(home.root, "skills"),
    "{identity_dir}": home.identityDir,
    "{workspaces_dir}": home.workspacesDir,
    "{netclaw_home}": home.root,
  };
  const expand = (root: string) => {
    let path = root;
    for (const [key, value] of Object.entries(placeholders)) path = path.split(key).join(value);
    if (path === "~" || path.startsWith("~/")) path = join(homedir(), path.slice(1));
    return resolve(path);
  };
  const defaults: FileRoots = audience === "Personal" ? "all" : [sessionDir];
  const roots = (access: { Mode?: "All" | "Roots"; Roots?: string[] } | undefined): FileRoots => {
    if (!access?.Mode) return defaults === "all" ? "all" : [...defaults];
    return access.Mode === "All" ? "all" : (access.Roots ?? []).map(expand);
  };
  const alwaysReadable = [placeholders["{skills_dir}"]!, home.identityDir, home.workspacesDir];
  const read = roots(custom?.ReadFiles);
  let tools: AudienceProfile["tools"] =
    audience === "Personal" ? "all" : new Set(audience === "Team" ? TEAM_TOOLS : PUBLIC_TOOLS);
  if (custom?.ToolsMode === "All") tools = "all";
  else if (custom?.ToolsMode === "Allowlist") tools = new Set(custom.AllowedTools ?? []);
  return {
    audience,
    tools,
    read: read === "all" ? "all" : [...read, ...alwaysReadable],
    write: roots(custom?.WriteFiles),
    attach: roots(custom?.AttachFiles),
  };
}

export function profileAllows(profile: AudienceProfile, toolName: string): boolean {
  return profile.tools === "all" || profile.tools.has(toolName);
}
