import type { Channel } from "../../protocol/sessions.ts";
import type { IdentitySource } from "../agent/identity.ts";
import type { ToolDispatcher } from "../agent/tool-dispatcher.ts";
import type { ModelClient } from "../llm/model-client.ts";
import type { SessionEventRepository } from "../store/session-event-repository.ts";
import type { SessionRepository } from "../store/session-repository.ts";
import type { StoreLogger } from "../store/store-logger.ts";
import type { SecretRedactor } from "../tools/policy/redaction.ts";

export type SessionSettings = {
  compactionThreshold: number;
  keepRecentToolResults: number;
  maxToolCallsPerTurn: number;
  /** Budget of a title, compaction-summary or memory-proposal call. */
  sidecarTimeoutMs: number;
};

/** Everything a session engine needs, injected by the registry (and, above it, by main.ts). */
export type SessionDeps = {
  sessions: SessionRepository;
  events: SessionEventRepository;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  newId: () => string;
  model: ModelClient;
  /**
   * The tool dispatcher of one session, made when its engine loads (tools depend on the session:
   * its audience comes from the channel, its working directory and approvals are its own).
   */
  createDispatcher: (session: { sessionId: string; channel: Channel; name: string | null }) => ToolDispatcher;
  /**
   * Long-term memory recalled for a turn, as text for the volatile prompt block ("" for none).
   * Called once per turn with the turn's newest user text; must settle quickly and never reject
   * (the memory feature bounds it by `Memory.RecallTimeoutMs`).
   */
  recall?: (request: {
    sessionId: string;
    channel: Channel;
    name: string | null;
    text: string;
    /** Who sent the turn's messages (see requester.ts): a reminder's turn recalls with its audience. */
    requester?: string;
  }) => Promise<string>;
  /**
   * After-turn work of a completed turn: long-term memories proposed from its user text and final
   * answer. Runs with the title, before the next queued turn; must never reject and must settle
   * within `timeoutMs` (the sidecar budget) or when `signal` aborts (the daemon stops).
   */
  proposeMemories?: (turn: {
    sessionId: string;
    channel: Channel;
    name: string | null;
    /** Who the turn acted for (see requester.ts). */
    requester?: string;
    userText: string;
    assistantText: string;
    timeoutMs: number;
    signal: AbortSignal;
  }) => Promise<void>;
  identity: IdentitySource;
  /**
   * Today's known secret values and redactions (main.ts: the configuration's credentials and the
   * webhook routes' secrets). Read per event, so a change takes effect at once.
   */
  secrets: () => SecretRedactor;
  settings: SessionSettings;
  logger: StoreLogger;
};
