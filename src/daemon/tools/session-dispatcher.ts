import type { ApprovalOption } from "../../protocol/events.ts";
import type { ToolEffects } from "./tool.ts";
import type { ToolRunner, ToolSession } from "./tool-runner.ts";

/**
 * Calls waiting for an approval answer, by call id. `answer` is what the approvals route calls
 * (after checking the requester); an abort (cancel, new message) ends the wait with `deny`.
 */
export function createApprovalWaiter() {
  const pending = new Map<string, (option: ApprovalOption) => void>();
  return {
    wait(callId: string, signal: AbortSignal): Promise<ApprovalOption> {
      return new Promise((resolve) => {
        if (signal.aborted) return resolve("deny");
        const done = (option: ApprovalOption) => {
          pending.delete(callId);
          signal.removeEventListener("abort", onAbort);
          resolve(option);
        };
        const onAbort = () => done("deny");
        pending.set(callId, done);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    /** Resolves a waiting call; false when nothing waits under that id. */
    answer(callId: string, option: ApprovalOption): boolean {
      const done = pending.get(callId);
      if (!done) return false;
      done(option);
      return true;
    },
    pendingIds(): string[] {
      return [...pending.keys()];
    },
  };
}

export type ApprovalWaiter = ReturnType<typeof createApprovalWaiter>;

/**
 * Adapts the runner to the session loop's dispatcher shape (`definitions()` +
 * `dispatch(call, { sessionId, signal, requestApproval })`): `requestApproval` publishes the
 * event, the waiter delivers the answer, and effects (working directory, attachments) go to
 * `onEffects`. One per session; `session()` returns its current state.
 */
export function createSessionToolDispatcher(options: {
  runner: ToolRunner;
  session: () => ToolSession;
  approvals: ApprovalWaiter;
  onEffects?: (effects: ToolEffects) => void;
}) {
  return {
    definitions() {
      return options.runner.definitions(options.session());
    },
    async dispatch(
      call: { id: string; name: string; arguments: unknown },
      context: {
        sessionId: string;
        signal: AbortSignal;
        requestApproval(request: { summary: string; options: ApprovalOption[] }): void;
      },
    ): Promise<{ result: string; isError: boolean }> {
      const outcome = await options.runner.run(call, {
        session: options.session(),
        signal: context.signal,
        requestApproval: async (request) => {
          const answer = options.approvals.wait(call.id, context.signal);
          context.requestApproval(request);
          return answer;
        },
      });
      if (outcome.effects) options.onEffects?.(outcome.effects);
      return { result: outcome.result, isError: outcome.isError };
    },
  };
}
