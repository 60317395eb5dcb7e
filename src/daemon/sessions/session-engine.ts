import { NetclawError } from "../../protocol/errors.ts";
import type { SessionEvent } from "../../protocol/events.ts";
import type { SessionSummary } from "../../protocol/sessions.ts";
import type { EventDraft } from "../agent/event-draft.ts";
import { assemblePrompt, buildSystemPrompt } from "../agent/prompt.ts";
import { runTurn, SHUTDOWN_REASON, type TurnOutcome } from "../agent/turn-loop.ts";
import type { SessionRecord } from "../store/session-repository.ts";
import { createEventRedactor } from "./event-redactor.ts";
import { createHistory } from "./history.ts";
import { assertFitsContext, contextWindowError, fitsBudget, measureBudget } from "./prompt-budget.ts";
import { turnRequester } from "./requester.ts";
import type { SessionDeps } from "./session-deps.ts";
import { createSessionEventLog, type DurableDraft } from "./session-event-log.ts";
import { scanEvents } from "./session-scan.ts";
import { compactHistory, runSidecars } from "./session-sidecars.ts";
import { joinTurnText, turnBatchSize } from "./turn-input.ts";

export type SendResult = { messageId: string; eventId: number; queued: boolean; duplicate: boolean };

export type SessionEngine = ReturnType<typeof loadSessionEngine>;

/**
 * One session, loaded from the store: its history, its event log and its input queue. Messages
 * are stored before any model call; a message that arrives while a turn runs waits, and all
 * waiting messages form the next turn together, in order. A turn left unfinished by a crash is
 * closed as `interrupted` when the session loads.
 */
export function loadSessionEngine(options: { record: SessionRecord; deps: SessionDeps }) {
  const { deps } = options;
  const record = { ...options.record };
  const sessionId = record.sessionId;
  const stored = deps.events.listAfter({ sessionId, after: 0 });
  const history = createHistory();
  for (const event of stored) history.apply(event);
  const scan = scanEvents(stored);
  const pending = [...scan.pendingMessageIds];
  const redactor = createEventRedactor(deps.secrets);
  const log = createSessionEventLog({
    sessionId,
    sessions: deps.sessions,
    events: deps.events,
    transaction: (fn) => deps.transaction(fn),
    now: deps.now,
    reservedHighWater: record.eventIdReserved,
    redactor,
  });
  const at = () => deps.now().toISOString();
  const dispatcher = deps.createDispatcher({ sessionId, channel: record.channel, name: record.name });
  // Who sent each waiting message (in memory: after a restart, the journaled approvals keep theirs).
  const requesters = new Map<string, string>();
  // Calls whose approval was pending when the daemon stopped run again, in a turn of their own.
  const answered = new Set(stored.flatMap((e) => (e.type === "tool_result" ? [e.callId] : [])));
  let resume = (dispatcher.resumable?.() ?? []).filter((entry) => !answered.has(entry.call.id));
  const resumeIds = new Set(resume.map((entry) => entry.call.id));

  let running: Promise<void> | undefined;
  let turn: AbortController | undefined;
  let sidecar: AbortController | undefined;
  let closing = false;

  const append = (draft: DurableDraft, alsoStore?: (event: SessionEvent) => void): SessionEvent => {
    const event = log.append(draft, alsoStore);
    history.apply(event);
    record.lastActivity = event.at;
    return event;
  };
  // The turn loop's events: deltas are streamed only, everything else is stored.
  const emit = (draft: EventDraft) => {
    if (draft.type === "text_delta" || draft.type === "thinking_delta") log.stream(draft);
    else append(draft);
  };
  const setStatus = (status: SessionRecord["status"]) => {
    deps.sessions.setStatus({ id: sessionId, status, at: at() });
    record.status = status;
    record.lastActivity = at();
  };

  if (scan.openTurn) {
    const open = scan.openTurn;
    for (const call of open.danglingCalls.filter((c) => !resumeIds.has(c.callId))) {
      append({ ...call, type: "tool_result", result: "Not finished: the daemon stopped.", isError: true });
    }
    append({
      type: "error",
      code: "turn_interrupted",
      errorMessage: `Turn ${open.turnNumber} was interrupted because the daemon stopped while it ran. Everything stored before that is kept; send a message to continue.`,
    });
    append({ type: "turn_completed", turnNumber: open.turnNumber, status: "interrupted" }, () =>
      deps.sessions.setStatus({ id: sessionId, status: "idle", at: at() }),
    );
    record.status = "idle";
  } else if (record.status !== "idle") {
    setStatus("idle");
  }

  // What every request carries besides the history: the system prompt and the tool schemas.
  const fixedPrompt = () =>
    buildSystemPrompt(deps.identity, dispatcher.promptAddendum?.()) +
    JSON.stringify(dispatcher.definitions());
  const budgetNow = () => measureBudget({ model: deps.model, fixedPrompt });

  /** The waiting messages the next turn takes (see turnBatchSize). */
  async function takeTurnInput(): Promise<string[]> {
    // One message (the common case) is taken at once, so its turn starts in the same tick.
    if (pending.length <= 1) return pending.splice(0);
    const budget = await budgetNow().catch(() => undefined);
    const texts = pending.map((id) => history.waitingText(id) ?? "");
    return pending.splice(0, turnBatchSize({ texts, budget }));
  }

  /** The recalled-memory block for the newest user text; "" without a recall hook or on failure. */
  async function recallFor(
    messages: ReturnType<typeof history.messages>,
    requester: string | undefined,
  ): Promise<string> {
    if (!deps.recall) return "";
    const newest = messages.findLast((message) => message.role === "user");
    const text = typeof newest?.content === "string" ? newest.content : "";
    try {
      return await deps.recall({
        sessionId,
        channel: record.channel,
        name: record.name,
        text,
        ...(requester === undefined ? {} : { requester }),
      });
    } catch (error) {
      deps.logger.warn({ err: error, sessionId }, "memory recall failed; the turn continues without it");
      return "";
    }
  }

  async function runOneTurn(messageIds: string[]): Promise<void> {
    const resumeCalls = resume.map((entry) => entry.call);
    const requester = turnRequester(messageIds.map((id) => requesters.get(id))) ?? resume[0]?.requester;
    resume = [];
    for (const id of messageIds) requesters.delete(id);
    const turnNumber = Math.max(record.turnCount, scan.lastTurnNumber) + 1;
    // The history gains the turn's user messages when the turn starts: the entries added here.
    const entriesBefore = history.entries().length;
    append({ type: "turn_started", turnNumber, messageIds }, () =>
      deps.sessions.startTurn({ id: sessionId, turnCount: turnNumber, at: at() }),
    );
    const userText = joinTurnText(
      history
        .entries()
        .slice(entriesBefore)
        .map((entry) => (entry.message.role === "user" ? entry.message.content : "")),
    );
    record.turnCount = turnNumber;
    record.status = "processing";
    const controller = new AbortController();
    const startedAt = deps.now();
    turn = controller;
    let outcome: TurnOutcome = { status: "failed" };
    let contextWindow = 0;
    const modelTurn = async (): Promise<TurnOutcome> => {
      const recalled = deps.model.configured ? await recallFor(history.messages(), requester) : "";
      return runTurn({
        sessionId,
        model: deps.model,
        dispatcher,
        buildMessages: () =>
          assemblePrompt({
            identity: deps.identity,
            history: history.messages(),
            now: startedAt,
            addendum: dispatcher.promptAddendum?.(),
            recalled,
          }),
        emit,
        signal: controller.signal,
        maxToolCalls: deps.settings.maxToolCallsPerTurn,
        contextWindow,
        newId: deps.newId,
        ...(requester === undefined ? {} : { requester }),
        resumeCalls,
        compact: () =>
          compactHistory({
            deps,
            history,
            inputTokens: contextWindow,
            contextWindow,
            signal: controller.signal,
            append,
          }),
      });
    };
    try {
      const budget = await budgetNow();
      contextWindow = budget?.window ?? 0;
      // Every turn's new input, whatever sent it (a chat, a webhook, a reminder, several queued
      // messages), is checked here, before anything reaches the model.
      if (budget !== undefined && !fitsBudget(budget, userText)) {
        const refused = contextWindowError(budget, userText);
        append({ type: "error", code: refused.code, errorMessage: refused.message });
      } else outcome = await modelTurn();
    } catch (error) {
      deps.logger.error({ err: error, sessionId }, "turn failed with an internal error");
      append({
        type: "error",
        code: "internal_error",
        errorMessage: "The turn failed with an internal error; details are in the daemon log.",
      });
    } finally {
      turn = undefined;
    }
    append({ type: "turn_completed", turnNumber, status: outcome.status });
    if (!closing && deps.model.configured && outcome.status === "completed") {
      sidecar = new AbortController();
      try {
        await runSidecars({
          deps,
          history,
          record,
          turnNumber,
          userText,
          ...(requester === undefined ? {} : { requester }),
          inputTokens: outcome.inputTokens,
          contextWindow,
          signal: sidecar.signal,
          append,
          setStatus,
        });
      } finally {
        sidecar = undefined;
      }
    }
    setStatus("idle");
  }

  async function drainQueue(): Promise<void> {
    try {
      while ((pending.length > 0 || resume.length > 0) && !closing) {
        const messageIds = await takeTurnInput();
        try {
          await runOneTurn(messageIds);
        } catch (error) {
          // Only a failing store gets here. The messages stay stored; after a restart, any that
          // no turn took join the next one (see scanEvents).
          deps.logger.error({ err: error, sessionId }, "could not record a turn");
          break;
        }
      }
    } finally {
      running = undefined;
    }
  }

  if (resume.length > 0) running = drainQueue();

  return {
    id: sessionId,

    summary(): SessionSummary {
      const { eventIdReserved: _reserved, ...summary } = record;
      return { ...summary };
    },

    /**
     * Stores the message (with its Idempotency-Key, atomically) and starts a turn unless one is
     * running. A key seen before returns the original message with `duplicate: true`.
     * Throws NetclawError `shutting_down` (503) while the daemon drains.
     */
    send(options: { text: string; idempotencyKey?: string; requester?: string }): SendResult {
      if (closing)
        throw new NetclawError("shutting_down", "netclawd is shutting down; retry after it restarts.", {
          status: 503,
          isRetryable: true,
        });
      const { idempotencyKey: key } = options;
      const result = deps.transaction((): SendResult => {
        const seen = key === undefined ? undefined : deps.events.findIdempotencyKey({ sessionId, key });
        if (seen) return { ...seen, queued: false, duplicate: true };
        const messageId = deps.newId();
        const event = append({ type: "user_message", messageId, text: options.text }, (stored) => {
          if (key !== undefined)
            deps.events.saveIdempotencyKey({ sessionId, key, messageId, eventId: stored.id, at: stored.at });
          deps.sessions.touch({ id: sessionId, at: stored.at });
        });
        return { messageId, eventId: event.id, queued: running !== undefined, duplicate: false };
      });
      if (result.duplicate) return result;
      if (options.requester !== undefined) requesters.set(result.messageId, options.requester);
      pending.push(result.messageId);
      if (running) dispatcher.supersedeApprovals?.();
      else running = drainQueue();
      return result;
    },

    /** Throws NetclawError 413 `context_window_exceeded` for a message that can never fit the model. */
    admit: (text: string): Promise<void> => assertFitsContext({ text, model: deps.model, fixedPrompt }),

    /** Aborts the running turn (model stream and tools). False when no turn is running. */
    cancel(): boolean {
      if (!turn || turn.signal.aborted) return false;
      turn.abort("cancelled");
      return true;
    },

    subscribe: (after?: number) => log.subscribe(after),

    /** Stored events after `after`, ascending. */
    transcript: (options: { after: number; limit: number }) =>
      deps.events
        .listAfter({ sessionId, after: options.after, limit: options.limit })
        .map((event) => redactor.stored(event)),

    get busy(): boolean {
      return running !== undefined;
    },
    get subscriberCount(): number {
      return log.subscriberCount;
    },

    /** Resolves when no turn is running (immediately when idle). */
    idle: (): Promise<void> => running ?? Promise.resolve(),

    /** Stops accepting messages; with `abort`, ends the running turn as `interrupted`. */
    close(options: { abort: boolean }): void {
      closing = true;
      if (options.abort) {
        turn?.abort(SHUTDOWN_REASON);
        sidecar?.abort(SHUTDOWN_REASON);
      }
    },

    closeSubscribers: () => log.closeSubscribers(),
  };
}
