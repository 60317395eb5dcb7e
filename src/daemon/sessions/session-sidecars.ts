import type { SessionEvent } from "../../protocol/events.ts";
import type { SessionRecord } from "../store/session-repository.ts";
import { planCompaction, summarizeDropped } from "./compaction.ts";
import type { History } from "./history.ts";
import type { SessionDeps } from "./session-deps.ts";
import type { DurableDraft } from "./session-event-log.ts";
import { generateTitle } from "./title.ts";

/** Titles are attempted after each of the first few turns until one succeeds. */
const TITLE_ATTEMPT_TURNS = 3;

/**
 * The after-turn work of a completed turn, run before the next queued turn starts: a title
 * (Compaction model) while the session has none and, alongside it, memory proposals from the
 * turn; then compaction when the last request's input tokens passed the threshold. Each side call
 * is bounded by the sidecar timeout. Failures are logged and never fail the turn.
 */
export async function runSidecars(options: {
  deps: SessionDeps;
  history: History;
  record: SessionRecord;
  turnNumber: number;
  /** The user message(s) the turn took, merged in order ("" for a turn that only resumed calls). */
  userText: string;
  /** Who the turn acted for (a reminder's turn proposes at the reminder's audience). */
  requester?: string;
  inputTokens: number | undefined;
  contextWindow: number;
  signal: AbortSignal;
  append: (draft: DurableDraft, alsoStore?: (event: SessionEvent) => void) => SessionEvent;
  setStatus: (status: SessionRecord["status"]) => void;
}): Promise<void> {
  const { deps, record, history } = options;
  const timeoutMs = deps.settings.sidecarTimeoutMs;
  // Read before the title and compaction change anything; runs concurrently with the title so the
  // next queued turn waits for one sidecar budget, not two.
  const proposing = proposeMemories({ ...options, assistantText: finalAnswer(history) });
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
      // The session row gets the title as the event log redacted it.
      const stored = options.append({ type: "session_title", title }, (event) =>
        deps.sessions.setTitle({
          id: record.sessionId,
          title: event.type === "session_title" ? event.title : "",
        }),
      );
      record.title = stored.type === "session_title" ? stored.title : title;
    } else if (!title) {
      deps.logger.warn(
        { sessionId: record.sessionId },
        "the Compaction model gave no title; retrying after the next turn",
      );
    }
  }

  await proposing;

  if (options.inputTokens === undefined || options.signal.aborted) return;
  await compactHistory({
    ...options,
    inputTokens: options.inputTokens,
    onCompacting: () => options.setStatus("compacting"),
  });
}

/** The text of the newest assistant message: a completed turn's final answer. */
function finalAnswer(history: History): string {
  return history.messages().findLast((m) => m.role === "assistant" && m.content.length > 0)?.content ?? "";
}

/** Hands the turn to the memory-proposal hook, if any; a turn without user text proposes nothing. */
async function proposeMemories(options: {
  deps: SessionDeps;
  record: SessionRecord;
  userText: string;
  assistantText: string;
  requester?: string;
  signal: AbortSignal;
}): Promise<void> {
  const { deps, record } = options;
  if (!deps.proposeMemories || options.userText.trim().length === 0) return;
  try {
    await deps.proposeMemories({
      sessionId: record.sessionId,
      channel: record.channel,
      name: record.name,
      ...(options.requester === undefined ? {} : { requester: options.requester }),
      userText: options.userText,
      assistantText: options.assistantText,
      timeoutMs: deps.settings.sidecarTimeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    deps.logger.warn(
      { err: error, sessionId: record.sessionId },
      "memory proposals failed; the turn is unaffected",
    );
  }
}

/**
 * Compacts the history when `inputTokens` passed the threshold (a turn's context overflow passes
 * the window itself): plans, asks the Compaction model for a summary of what is dropped, and
 * stores the `compaction` event (which the history applies). True when something was compacted.
 */
export async function compactHistory(options: {
  deps: SessionDeps;
  history: History;
  inputTokens: number;
  contextWindow: number;
  signal: AbortSignal;
  append: (draft: DurableDraft, alsoStore?: (event: SessionEvent) => void) => SessionEvent;
  /** Called once a compaction is decided, before the summary call. */
  onCompacting?: () => void;
}): Promise<boolean> {
  const { deps, history } = options;
  const timeoutMs = deps.settings.sidecarTimeoutMs;
  const plan = planCompaction({
    entries: history.entries(),
    inputTokens: options.inputTokens,
    contextWindow: options.contextWindow,
    threshold: deps.settings.compactionThreshold,
    keepRecentToolResults: deps.settings.keepRecentToolResults,
  });
  if (!plan) return false;
  options.onCompacting?.();
  const summary =
    plan.dropped.length > 0
      ? await summarizeDropped({
          model: deps.model,
          dropped: plan.dropped,
          timeoutMs,
          signal: options.signal,
        })
      : undefined;
  if (options.signal.aborted) return false;
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
  return true;
}
