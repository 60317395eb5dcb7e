import { homedir } from "node:os";
import type { HomePaths } from "../../../config/home.ts";
import type { NetclawConfig } from "../../../config/schema.ts";
import { findRepositoryRoot, type GrantStore } from "../../../config/tool-approvals.ts";
import type { ApprovalOption } from "../../../protocol/events.ts";
import type { Tool } from "../tool.ts";
import { approvalModeFor } from "./approval-mode.ts";
import { type Audience, profileAllows, resolvePosture, resolveProfile } from "./audience.ts";
import {
  ALL_OPTIONS,
  APPROVAL_LABELS,
  type ApprovalRequest,
  denied,
  type ToolDecision,
  UNSAFE_OPTIONS,
  unattendedMessage,
} from "./decisions.ts";
import { createHardDeny } from "./hard-deny.ts";
import { mcpApprovalMode, mcpRefusal } from "./mcp-policy.ts";
import { internalHostReason } from "./network-policy.ts";
import { checkFileCall, withinRoots } from "./path-policy.ts";
import { createPathGuard } from "./protected-paths.ts";
import { redact } from "./redaction.ts";
import { checkShellCall } from "./shell-policy.ts";

export type ToolCallInput = {
  tool: Tool;
  /** Arguments already validated by `parseToolArgs`. */
  args: Record<string, unknown>;
  audience: Audience;
  sessionId: string;
  sessionDir: string;
  workingDirectory: string;
  /** Nobody can answer a prompt (headless `-p`, reminders, webhooks). */
  unattended: boolean;
};

export type AuditEntry = {
  tool: string;
  audience: Audience;
  sessionId: string;
  outcome: ToolDecision["outcome"];
  reason: string;
};

export type ToolPolicyOptions = {
  config: NetclawConfig | undefined;
  home: HomePaths;
  grants: GrantStore;
  /** The user's home (for `rm -rf ~`); os.homedir() by default. */
  userHome?: string;
  daemonPid?: number;
  /** Process names of the daemon (`node`, `netclawd`): killall/pkill by them is hard-denied. */
  processNames?: string[];
  /** Patterns from `config/hard-deny-overrides.json` (see loadHardDenyOverrides), added to the config's. */
  extraHardDenyPatterns?: string[];
  /** The audit trail: every decision, with its reason. */
  audit?: (entry: AuditEntry) => void;
};

/**
 * The tool policy of one daemon: posture, audiences, approval modes, hard deny, protected paths
 * and grants. `evaluateToolCall` runs the checks in the order of reference/security.md §5:
 * audience admission → shell mode → hard deny → protected paths and file roots → Deny mode →
 * coverage (grants, exempt and read-only verbs) → prompt, or denial when unattended.
 */
export function createToolPolicy(options: ToolPolicyOptions) {
  const { config, home, grants } = options;
  const { posture, shellMode } = resolvePosture(config);
  const guard = createPathGuard(home, { daemonPid: options.daemonPid });
  const userHome = options.userHome ?? homedir();
  const hardDeny = createHardDeny({
    patterns: [...(config?.Tools.HardDenyPatterns ?? []), ...(options.extraHardDenyPatterns ?? [])],
    userHome,
    daemonPid: options.daemonPid,
    processNames: options.processNames,
  });
  const sessionGrants = new Map<string, Set<string>>();
  // The shell's parent is the daemon: $PPID names its /proc entry.
  const vars = {
    HOME: userHome,
    NETCLAW_HOME: home.root,
    ...(options.daemonPid !== undefined ? { PPID: String(options.daemonPid) } : {}),
  };
  const profileFor = (audience: Audience, sessionDir: string) =>
    resolveProfile({ audience, config, home, sessionDir });

  function visible(audience: Audience, sessionDir: string, tool: Tool): boolean {
    if (tool.mcp) return mcpRefusal({ config, audience, mcp: tool.mcp }) === undefined;
    if (!profileAllows(profileFor(audience, sessionDir), tool.name)) return false;
    if (tool.name === "shell_execute") return shellMode === "HostAllowed" && audience === "Personal";
    return approvalModeFor({ audience, toolKey: tool.name, config }) !== "Deny";
  }

  async function evaluate(input: ToolCallInput): Promise<ToolDecision> {
    const { tool, audience } = input;
    if (tool.mcp) {
      const refusal = mcpRefusal({ config, audience, mcp: tool.mcp });
      if (refusal) return denied(refusal.reason, refusal.message);
      if (mcpApprovalMode({ config, audience, mcp: tool.mcp }) === "Auto")
        return { outcome: "allowed", reason: "auto" };
      return coverage({ input, toolKey: tool.name, verbs: [tool.name], directory: input.workingDirectory });
    }
    const profile = profileFor(audience, input.sessionDir);
    if (!profileAllows(profile, tool.name)) {
      return denied(
        "tool_not_in_profile",
        `Tool access denied: ${tool.name} is not available to the ${audience} audience.`,
      );
    }
    let toolKey = tool.name;
    let directory = input.workingDirectory;
    const verbs: string[] = [];
    let unsafe = false;
    let forcePrompt = false;
    if (tool.name === "shell_execute") {
      if (shellMode === "Off")
        return denied(
          "shell_disabled",
          "Tool access denied: shell_execute is turned off (Tools.ShellMode is Off).",
        );
      if (shellMode === "SandboxOnly") {
        return denied(
          "shell_requires_sandbox_backend",
          "Tool access denied: shell_execute needs a sandbox backend, and none is available (Tools.ShellMode is SandboxOnly).",
        );
      }
      if (audience !== "Personal") {
        return denied(
          "shell_requires_personal_context",
          `Tool access denied: shell_execute runs only in Personal conversations, not for the ${audience} audience.`,
        );
      }
      const shell = await checkShellCall({
        args: input.args,
        workingDirectory: input.workingDirectory,
        vars,
        guard,
        hardDeny,
      });
      if (!shell.ok) return shell.decision;
      ({ directory, unsafe, forcePrompt } = shell);
      verbs.push(...shell.verbs);
    } else {
      const files = await checkFileCall({
        tool,
        args: input.args,
        workingDirectory: input.workingDirectory,
        profile,
        guard,
        home,
        userHome,
      });
      if (!files.ok) return files.decision;
      if (files.directory) directory = files.directory;
      if (files.controlPlane) toolKey = `${tool.name}:control-plane`;
      if (tool.name === "web_fetch" && audience !== "Personal") {
        const internal = internalHostReason(String(input.args.Url));
        if (internal)
          return denied(
            "url_not_allowed",
            `Tool access denied: web_fetch cannot reach ${internal} for the ${audience} audience.`,
          );
      }
      verbs.push(toolKey);
    }
    const mode = approvalModeFor({ audience, toolKey, config });
    if (mode === "Deny")
      return denied(
        "approval_mode_deny",
        `Tool access denied: ${toolKey} is set to Deny for the ${audience} audience.`,
      );
    if (mode === "Auto" && !forcePrompt) return { outcome: "allowed", reason: "auto" };
    if (verbs.length === 0) return { outcome: "allowed", reason: "read_only_or_exempt" };
    return coverage({ input, toolKey, verbs, directory, unsafe });
  }

  /** Approval mode says ask: stored and session grants may cover the verbs, else prompt (or deny unattended). */
  function coverage(options: {
    input: ToolCallInput;
    toolKey: string;
    verbs: string[];
    directory: string;
    unsafe?: boolean;
  }): ToolDecision {
    const { input, toolKey, verbs, directory } = options;
    const { tool, audience } = input;
    const unsafe = options.unsafe === true;
    const repository = findRepositoryRoot(directory);
    const session = sessionGrants.get(input.sessionId);
    const uncovered: string[] = [];
    for (const verb of new Set(verbs)) {
      if (!unsafe && session?.has(`${audience}\0${toolKey}\0${verb}`)) continue;
      const covered = unsafe
        ? false
        : grants.covers({ audience, tool: toolKey, verb, directory, repository });
      if (covered === "unavailable") {
        return denied(
          "approval_store_unavailable",
          `Tool access denied: the grants file ${grants.path} cannot be read or is from a newer netclaw, so no grant can be trusted. Fix or move it (see \`netclaw approvals list\`).`,
        );
      }
      if (!covered) uncovered.push(verb);
    }
    if (uncovered.length === 0) return { outcome: "allowed", reason: "granted" };
    if (input.unattended)
      return denied(
        "approval_required_unattended",
        unattendedMessage(tool.name, audience, tool.mcp !== undefined),
      );
    const request: ApprovalRequest = {
      audience,
      sessionId: input.sessionId,
      tool: toolKey,
      verbs: uncovered,
      directory,
      repository,
    };
    // An MCP tool does not act on the working directory: a folder or repository grant would mean
    // nothing, so it is once, this chat, or anywhere.
    const offered = unsafe
      ? UNSAFE_OPTIONS
      : tool.mcp
        ? ALL_OPTIONS.filter((o) => o !== "approve_always" && o !== "approve_repository")
        : ALL_OPTIONS.filter((o) => o !== "approve_repository" || repository !== undefined);
    const what =
      tool.name === "shell_execute"
        ? `run \`${redact(String(input.args.Command).slice(0, 500))}\``
        : tool.mcp
          ? `call the MCP tool with ${redact(JSON.stringify(input.args).slice(0, 500))}`
          : `use ${toolKey}`;
    return {
      outcome: "requires_approval",
      reason: unsafe ? "approval_required_unsafe" : "approval_required",
      summary: `${tool.name} wants to ${what} in ${directory} (needs approval for: ${uncovered.join(", ")})`,
      options: offered,
      request,
    };
  }

  return {
    posture,
    shellMode,
    profile: profileFor,
    /** The tools an audience may see; the rest are never offered to the model. */
    visibleTools(audience: Audience, sessionDir: string, tools: Iterable<Tool>): Tool[] {
      return [...tools].filter((tool) => visible(audience, sessionDir, tool));
    },
    /** Read filter for tree walks (ctx.canRead): protected paths and the audience's read roots. */
    readFilter(audience: Audience, sessionDir: string): (realPath: string) => boolean {
      const roots = profileFor(audience, sessionDir).read;
      return (path) => !guard.isProtected(path, "read") && withinRoots(path, roots);
    },
    async evaluateToolCall(input: ToolCallInput): Promise<ToolDecision> {
      const decision = await evaluate(input);
      options.audit?.({
        tool: input.tool.name,
        audience: input.audience,
        sessionId: input.sessionId,
        outcome: decision.outcome,
        reason: decision.reason,
      });
      return decision;
    },
    /**
     * Applies the requester's answer. Only offered options are accepted; "always" answers are
     * written to the grants file, "this chat" answers kept in memory for the session.
     */
    recordApproval(answer: {
      request: ApprovalRequest;
      offered: ApprovalOption[];
      option: ApprovalOption;
    }): { ok: true; label: string } | { ok: false; message: string } {
      const { request, option } = answer;
      if (!answer.offered.includes(option))
        return { ok: false, message: `"${option}" was not offered for this call.` };
      if (option === "approve_session") {
        const set = sessionGrants.get(request.sessionId) ?? new Set<string>();
        for (const verb of request.verbs) set.add(`${request.audience}\0${request.tool}\0${verb}`);
        sessionGrants.set(request.sessionId, set);
      }
      const scope =
        option === "approve_always"
          ? "folder"
          : option === "approve_repository"
            ? "repository"
            : option === "approve_everywhere"
              ? "anywhere"
              : undefined;
      if (scope) {
        const directory =
          scope === "folder" ? request.directory : scope === "repository" ? request.repository : undefined;
        if (scope === "repository" && !directory)
          return { ok: false, message: "There is no repository around this directory." };
        try {
          for (const verb of request.verbs)
            grants.add({
              audience: request.audience,
              tool: request.tool,
              verb,
              scope,
              ...(directory ? { directory } : {}),
            });
        } catch (error) {
          return { ok: false, message: `The grant could not be saved: ${(error as Error).message}` };
        }
      }
      return { ok: true, label: APPROVAL_LABELS[option] };
    },
    forgetSession(sessionId: string): void {
      sessionGrants.delete(sessionId);
    },
  };
}

export type ToolPolicy = ReturnType<typeof createToolPolicy>;
