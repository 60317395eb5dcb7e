import type { HomePaths } from "../../../config/home.ts";
import type { Tool } from "../tool.ts";
import type { AudienceProfile, FileRoots } from "./audience.ts";
import { denied, type ToolDecision } from "./decisions.ts";
import { isWithin, type PathGuard, resolvePath } from "./protected-paths.ts";

/** Directories whose files steer the agent itself: writing there needs Approval for Personal. */
export const controlPlaneDirs = (home: HomePaths) => [
  home.identityDir,
  `${home.root}/skills`,
  `${home.root}/agents`,
  home.schedulesDir,
];

export function withinRoots(path: string, roots: FileRoots): boolean {
  return roots === "all" || roots.some((root) => isWithin(path, root));
}

function expandTilde(path: string, userHome: string): string {
  return path === "~" ? userHome : path.startsWith("~/") ? `${userHome}${path.slice(1)}` : path;
}

/**
 * Checks every path a file tool's arguments name (`tool.paths`): protected paths (lexical and
 * real, so symlinks and `../` cannot dodge them), then the audience's roots for that kind of
 * access. Returns the directory a write targets (grant scope) and whether it is control-plane.
 */
export async function checkFileCall(options: {
  tool: Tool;
  args: Record<string, unknown>;
  workingDirectory: string;
  profile: AudienceProfile;
  guard: PathGuard;
  home: HomePaths;
  userHome: string;
}): Promise<{ ok: false; decision: ToolDecision } | { ok: true; directory?: string; controlPlane: boolean }> {
  const { tool, profile } = options;
  let directory: string | undefined;
  let controlPlane = false;
  for (const access of tool.paths?.(options.args as never) ?? []) {
    const resolved = await resolvePath(options.workingDirectory, expandTilde(access.path, options.userHome));
    const kind = access.access === "write" ? "write" : "read";
    const label = await options.guard.check(resolved, kind);
    const holds = access.walk ? options.guard.containedIn(resolved, kind) : undefined;
    if (holds && !label) {
      return {
        ok: false,
        decision: denied(
          "protected_path",
          `Tool access denied: ${tool.name} cannot search ${resolved.lexical}: it holds ${holds}, a protected path. Search a directory that does not contain it.`,
        ),
      };
    }
    if (label) {
      return {
        ok: false,
        decision: denied(
          "protected_path",
          `Tool access denied: ${tool.name} cannot ${kind} ${label}, a protected path.`,
        ),
      };
    }
    const roots =
      access.access === "write" ? profile.write : access.access === "attach" ? profile.attach : profile.read;
    if (!withinRoots(resolved.real, roots) || !withinRoots(resolved.lexical, roots)) {
      const text = `Tool access denied: ${resolved.lexical} is outside the directories the ${profile.audience} audience may ${kind}.`;
      return { ok: false, decision: denied("path_outside_allowed_roots", text) };
    }
    if (access.access === "write") {
      directory = resolved.real.slice(0, resolved.real.lastIndexOf("/")) || "/";
      if (controlPlaneDirs(options.home).some((dir) => isWithin(resolved.real, dir))) controlPlane = true;
    }
  }
  return { ok: true, directory, controlPlane };
}
