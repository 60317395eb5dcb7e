import type { ApprovalOption, SessionEvent } from "../../protocol/events.ts";
import { clip, type Style, sanitize } from "./render.ts";

type ApprovalEvent = Extract<SessionEvent, { type: "approval_requested" }>;

/** The prompt line shown instead of the composer while an approval waits. */
export type ApprovalPrompt = { callId: string; prompt: string };

const KEYS: Record<ApprovalOption, { key: string; label: string }> = {
  approve_once: { key: "y", label: "yes once" },
  approve_session: { key: "s", label: "this session" },
  approve_always: { key: "a", label: "always" },
  approve_repository: { key: "r", label: "this repository" },
  approve_everywhere: { key: "e", label: "everywhere" },
  deny: { key: "n", label: "deny" },
};

/**
 * Pending tool approvals, oldest first. While one is pending it owns the keyboard: the chat shows
 * its prompt instead of the composer (whose text is kept) and a single key answers it. The tools
 * issue fills in the daemon side (`approval_requested`, `POST …/approvals/:callId`).
 */
export function createApprovalQueue(options: {
  style: Style;
  onChange: () => void;
  answer: (callId: string, decision: ApprovalOption) => Promise<unknown>;
}) {
  const pending: ApprovalEvent[] = [];

  function current(): ApprovalPrompt | undefined {
    const event = pending[0];
    if (!event) return undefined;
    const choices = event.options.map((option) => `[${KEYS[option].key}] ${KEYS[option].label}`).join("  ");
    const summary = clip(sanitize(event.summary || `${event.toolName} ${event.argumentsJson}`), 120);
    return { callId: event.callId, prompt: `${options.style.red("approve?")} ${summary}  ${choices}  ` };
  }

  return {
    current,
    add(event: ApprovalEvent): void {
      if (pending.some((p) => p.callId === event.callId)) return;
      pending.push(event);
      options.onChange();
    },
    /** Another client (or a timeout) answered it. */
    resolved(callId: string): void {
      const index = pending.findIndex((p) => p.callId === callId);
      if (index === -1) return;
      pending.splice(index, 1);
      options.onChange();
    },
    /** A key typed while an approval is pending; keys that answer nothing are ignored. */
    key(chunk: string): void {
      const event = pending[0];
      if (!event) return;
      const decision = event.options.find((option) => KEYS[option].key === chunk.toLowerCase());
      if (!decision) return;
      pending.shift();
      options.onChange();
      void options.answer(event.callId, decision);
    },
  };
}
