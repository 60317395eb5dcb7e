import { completeText } from "../../agent/complete-text.ts";
import type { Logger } from "../../lifecycle/logger.ts";
import type { ModelClient } from "../../llm/model-client.ts";
import type { ApplyReport, MemoryScope, ProposalQueue } from "../../memory/index.ts";
import type { MemoryAudience } from "../../memory/memory-types.ts";
import { parseProposals } from "../../memory/proposal-parse.ts";

/** The start of the instructions; test fakes recognise the call by it. */
export const PROPOSAL_INSTRUCTIONS = `You extract long-term memories from one exchange between a user and their operations assistant.
Propose at most 3 durable facts worth remembering in later conversations: stable preferences, decisions, names and locations of systems, recurring procedures.
Never include passwords, tokens, keys or any other secret. Skip small talk, one-off requests and anything only true right now.
Reply with a JSON array and nothing else: [{"title": "short title", "content": "the fact, self-contained", "tags": ["keyword"]}]
Reply [] when nothing is worth remembering.`;

/**
 * Turns whose user text is shorter than this are not worth a model call: greetings, "thanks",
 * "ok, do it" state no durable fact, and they are most of the short messages a chat gets.
 */
export const MIN_USER_TEXT_CHARS = 20;

const EXCERPT_CHARS = 4000;

export type ProposalTurn = {
  sessionId: string;
  /** The turn's user message(s), merged in order. */
  userText: string;
  /** The turn's final answer ("" when it ended without text). */
  assistantText: string;
  scope: MemoryScope;
  audience: MemoryAudience;
  timeoutMs: number;
  signal: AbortSignal;
};

/** Whether a turn is worth asking the model about (see MIN_USER_TEXT_CHARS). */
export function worthProposing(turn: { userText: string }): boolean {
  return turn.userText.trim().length >= MIN_USER_TEXT_CHARS;
}

/**
 * Asks the Compaction model for durable facts from one turn, enqueues the valid ones durably
 * and then applies the queue. The enqueue commits before the apply starts, so a crash between
 * them loses nothing: the next start applies what is pending. Resolves with the apply report, or
 * undefined when nothing was proposed. Never rejects; failures are logged.
 */
export function createMemoryProposer(options: {
  model: ModelClient;
  queue: ProposalQueue;
  logger: Logger;
  /** The daemon's redactor: a proposal it would change carries a secret and is dropped. */
  redactText?: (text: string) => string;
}) {
  const { logger, queue } = options;

  return async function propose(turn: ProposalTurn): Promise<ApplyReport | undefined> {
    if (!worthProposing(turn)) return undefined;
    const excerpt = (text: string) =>
      text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
    const raw = await completeText({
      model: options.model,
      role: "Compaction",
      timeoutMs: turn.timeoutMs,
      signal: turn.signal,
      messages: [
        { role: "system", content: PROPOSAL_INSTRUCTIONS },
        {
          role: "user",
          content: `User: ${excerpt(turn.userText)}\n\nAssistant: ${excerpt(turn.assistantText)}`,
        },
      ],
    });
    if (raw === undefined) {
      if (!turn.signal.aborted)
        logger.warn({ sessionId: turn.sessionId }, "the Compaction model proposed no memories (no reply)");
      return undefined;
    }
    const parsed = parseProposals(raw, options.redactText);
    if (parsed.unparsable)
      logger.warn(
        { sessionId: turn.sessionId, reason: parsed.unparsable },
        "ignored the Compaction model's memory proposals: the reply was not a JSON array",
      );
    if (parsed.dropped.length > 0)
      logger.debug({ sessionId: turn.sessionId, dropped: parsed.dropped }, "dropped memory proposals");
    if (parsed.facts.length === 0) return undefined;

    try {
      queue.enqueue({
        sessionId: turn.sessionId,
        proposals: parsed.facts.map((fact) => ({ ...fact, scope: turn.scope, audience: turn.audience })),
      });
      const report = queue.applyPending();
      logger.info({ sessionId: turn.sessionId, ...report }, "applied the memory proposals of a turn");
      return report;
    } catch (error) {
      // Whatever was enqueued stays pending and is applied on the next turn or start.
      logger.warn({ err: error, sessionId: turn.sessionId }, "could not store memory proposals");
      return undefined;
    }
  };
}
