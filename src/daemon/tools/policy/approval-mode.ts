import type { NetclawConfig } from "../../../config/schema.ts";
import type { Audience } from "./audience.ts";

export type ApprovalMode = "Auto" | "Approval" | "Deny";

const STRICTNESS: Record<ApprovalMode, number> = { Auto: 0, Approval: 1, Deny: 2 };

/** Tool keys that need Approval for Personal unless an explicit override says otherwise. */
export const FAIL_CLOSED_KEYS = new Set([
  "shell_execute",
  "file_write:control-plane",
  "file_edit:control-plane",
]);

/**
 * The approval mode of one tool key (`shell_execute`, `file_write`, `file_write:control-plane`)
 * for an audience (reference/security.md §5). An exact `ToolOverrides` entry wins — only an
 * explicit `shell_execute: Auto` silences the shell. Otherwise the stricter of the fail-closed
 * default (Personal shell and control-plane writes: Approval) and the base tool's override or
 * `DefaultMode` (Auto when unset) applies.
 */
export function approvalModeFor(options: {
  audience: Audience;
  toolKey: string;
  config: NetclawConfig | undefined;
}): ApprovalMode {
  const policy = options.config?.Tools.AudienceProfiles[options.audience]?.ApprovalPolicy;
  const overrides = policy?.ToolOverrides ?? {};
  const exact = overrides[options.toolKey];
  if (exact) return exact;
  const baseTool = options.toolKey.split(":")[0]!;
  const base: ApprovalMode = overrides[baseTool] ?? policy?.DefaultMode ?? "Auto";
  const failClosed: ApprovalMode =
    options.audience === "Personal" && FAIL_CLOSED_KEYS.has(options.toolKey) ? "Approval" : "Auto";
  return STRICTNESS[failClosed] > STRICTNESS[base] ? failClosed : base;
}
