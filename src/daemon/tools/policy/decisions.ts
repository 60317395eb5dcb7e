import { type ApprovalOption, approvalOptionSchema } from "../../../protocol/events.ts";
import type { Audience } from "./audience.ts";

/** What a prompt's answer would grant: enough to record a grant without re-evaluating. */
export type ApprovalRequest = {
  audience: Audience;
  sessionId: string;
  /** Grant key: `shell_execute`, `file_write`, `file_write:control-plane` … */
  tool: string;
  /** The uncovered verbs (`git push`, or the tool key for non-shell tools). */
  verbs: string[];
  directory: string;
  repository?: string;
};

export type ToolDecision =
  | { outcome: "allowed"; reason: string }
  | {
      outcome: "requires_approval";
      reason: string;
      summary: string;
      options: ApprovalOption[];
      request: ApprovalRequest;
    }
  | { outcome: "denied"; reason: string; message: string };

export const ALL_OPTIONS: readonly ApprovalOption[] = approvalOptionSchema.options;
/** Interpreters handed code, commands we could not fully read: no grant may outlive this call. */
export const UNSAFE_OPTIONS: ApprovalOption[] = ["approve_once", "deny"];

/** The suffix a tool result carries after an approved call (`[approval: once]`). */
export const APPROVAL_LABELS: Record<ApprovalOption, string> = {
  approve_once: "once",
  approve_session: "this chat only",
  approve_always: "always in this folder",
  approve_repository: "always in this repo",
  approve_everywhere: "always anywhere",
  deny: "denied",
};

export function denied(reason: string, message: string): ToolDecision {
  return { outcome: "denied", reason, message };
}

/** The exact text of an unattended run's refusal (reference/security.md §5). */
export function unattendedMessage(tool: string, audience?: string, mcp?: boolean): string {
  if (mcp)
    return `Tool access denied: ${tool} needs approval, and nobody can answer a prompt in an unattended run. Grant it beforehand from an interactive chat (an "always" answer), or set Tools.AudienceProfiles.${audience ?? "Personal"}.ApprovalPolicy.ToolOverrides."${tool}" to Auto, or do this step without ${tool}.`;
  return `Tool access denied: ${tool} needs approval, and nobody can answer a prompt in an unattended run. Grant it beforehand from an interactive chat (an "always" answer) or with \`netclaw approvals trust-verb\`, or do this step without ${tool}.`;
}
