import { readFileSync } from "node:fs";
import { writeJsonAtomic } from "./atomic-write.ts";

/**
 * `config/bootstrap-state.json` (reference/security.md §2.6): written once, after the first
 * successful non-local start, so the one-shot bootstrap device is never seeded again.
 */
export type BootstrapState = { HasCompletedFirstSuccessfulNonLocalStart: boolean; CompletedAt?: string };

/** Whether the first non-local start has completed. A missing or unreadable file means no. */
export function hasCompletedBootstrap(path: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      (parsed as BootstrapState).HasCompletedFirstSuccessfulNonLocalStart === true
    );
  } catch {
    return false;
  }
}

/** Records the first successful non-local start (atomic write). */
export function markBootstrapCompleted(options: { path: string; now: Date }): void {
  const state: BootstrapState = {
    HasCompletedFirstSuccessfulNonLocalStart: true,
    CompletedAt: options.now.toISOString(),
  };
  writeJsonAtomic(options.path, state, { mode: 0o600 });
}
