import type { SessionEvent } from "../../protocol/events.ts";
import type { EventDraft } from "../agent/event-draft.ts";
import type { SessionRecord } from "../store/session-repository.ts";
import { planCompaction, summarizeDropped } from "./compaction.ts";
import type { History } from "./history.ts";
import type { SessionDeps } from "./session-deps.ts";
import { generateTitle } from "./title.ts";

/** Titles are attempted after each of the first few turns until one succeeds. */
const TITLE_ATTEMPT_TURNS = 3;

/**
 * The after-turn work of a completed turn, run before the next queued turn starts: a title
 * (Compaction model) while the session has none, then compaction when the last request's input
 * tokens passed the threshold. Failures are logged and never fail the turn.
 */
export async function runSidecars(options: {
  deps: SessionDeps;
  history: History;
  record: SessionRecord;
  turnNumber: number;
  inputTokens: number | undefined;
  contextWindow: number;
  signal: AbortSignal;
  append: (draft: EventDraft, alsoStore?: (event: SessionEvent) => void) => SessionEvent;
  setStatus: (status: SessionRecord["status"]) => void;
}): Promise<void> {
  const { deps, record, history } = options;
  const timeoutMs = deps.settings.sidecarTimeoutMs;
  if (!record.title && options.turnNumber <= TITLE_ATTEMPT_TURNS) {
    const messages = history.messages();
    const userText = messages.find((m) => m.role === "user")?.content ?? "";
    const assistantText = messages.findLast((m) => m.role === "assistant")?.content ?? "";
    const title = await generateTitle({
      model: deps.model,
      userText,
      assistantText,
      timeoutMs,
      signal: options.signal,
    });
    if (title && !options.signal.aborted) {
      options.append({ type: "session_title", title }, () =>
        deps.sessions.setTitle({ id: record.sessionId, title }),
      );
      record.title = title;
    } else if (!title) {
      deps.logger.warn(
        { sessionId: record.sessionId },
        "the Compaction model gave no title; retrying after the next turn",
      );
    }
  }

  if (options.inputTokens === undefined || options.signal.aborted) return;
  const plan = planCompaction({
    entries: history.entries(),
    inputTokens: options.inputTokens,
    contextWindow: options.contextWindow,
    threshold: deps.settings.compactionThreshold,
    keepRecentToolResults: deps.settings.keepRecentToolResults,
  });
  if (!plan) return;
  options.setStatus("compacting");
  const summary =
    plan.dropped.length > 0
      ? await summarizeDropped({
          model: deps.model,
          dropped: plan.dropped,
          timeoutMs,
          signal: options.signal,
        })
      : undefined;
  if (options.signal.aborted) return;
  options.append({
    type: "compaction",
    messagesBefore: plan.messagesBefore,
    messagesAfter:
      plan.keptFromEventId !== undefined && !summary ? plan.messagesAfter - 1 : plan.messagesAfter,
    toolResultsCleared: plan.toolResultsCleared,
    ...(summary ? { summary } : {}),
    ...(plan.keptFromEventId !== undefined ? { keptFromEventId: plan.keptFromEventId } : {}),
    ...(plan.toolResultsClearedBeforeEventId !== undefined
      ? { toolResultsClearedBeforeEventId: plan.toolResultsClearedBeforeEventId }
      : {}),
  });
}
