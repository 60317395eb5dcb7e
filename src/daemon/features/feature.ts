import type { FastifyInstance } from "fastify";
import type { HealthStatus } from "../../protocol/health.ts";
import type { ExtraTool } from "../agent/extra-tools.ts";
import type { SessionAudience, SessionInfo, TurnInfo } from "../sessions/audience.ts";
import type { Tool } from "../tools/tool.ts";

/** What the session engine passes about a completed turn. */
export type TurnTexts = { userText: string; assistantText: string; timeoutMs: number; signal: AbortSignal };

/** The status sections a feature may add to `/api/health/status` (undefined ones are left out). */
export type FeatureStatus = Pick<HealthStatus, "reminders" | "memory" | "mcp">;

/**
 * The seam between the daemon's core (store, models, tools, sessions, HTTP core) and one optional
 * feature (reminders, memory, MCP servers, webhooks; next: chat channels, jobs…). A feature is one
 * folder under `features/` and one line in `main.ts`, which composes every hook with one loop
 * (features/compose.ts). Every member is optional; a feature that cannot open degrades, it never
 * stops the daemon. Hooks are called per turn or per request and must be cheap and never throw
 * unless said otherwise.
 */
export interface DaemonFeature {
  readonly name: string;
  /**
   * Extra tools for one turn of a session, already at the turn's audience: return none the
   * audience may not have (e.g. reminders and memory give Public nothing). Called once per session
   * and audience; the result is cached.
   */
  tools?(turn: SessionInfo & { audience: SessionAudience }): ExtraTool[];
  /**
   * Tools the core tool runner dispatches under the tool policy, which decides who may use them
   * (the MCP servers' `<server>/<tool>`). Read per request.
   */
  policyTools?(): Iterable<Tool>;
  /**
   * The stored audience of a session this feature owns (`schedule/<id>/…`, `webhook/<route>/…`);
   * undefined = not mine. The session's audience is the least of all answers, else its channel's.
   */
  audienceOf?(session: SessionInfo): SessionAudience | undefined;
  /**
   * The audience of a non-human requester this feature owns (`reminder:<id>`), which lowers the
   * turn it drives; undefined = not mine. A non-human requester nobody answers for gets Public.
   */
  audienceOfRequester?(requester: string): SessionAudience | undefined;
  /** Context for the turn's volatile prompt block ("" for none; memory recall). Never rejects. */
  beforeTurn?(turn: TurnInfo & { text: string }): Promise<string>;
  /** Work after a completed turn (memory proposals); bounded by `timeoutMs`/`signal`, never rejects. */
  afterTurn?(turn: TurnInfo & TurnTexts): Promise<void>;
  /** HTTP routes, registered on the daemon's app with the core's guards and authentication. */
  readonly routes?: ReadonlyArray<(app: FastifyInstance) => void>;
  /** Sections for `status`; a throwing feature's sections are left out. */
  status?(): Partial<FeatureStatus>;
  /** Secret values the feature knows now (they may change without a restart): never logged. */
  secrets?(): readonly string[];
  /** After the daemon listens: background work may begin (it may need the API). */
  start?(): void;
  /** While draining, before the sessions drain: stop launching work, cancel and record runs. */
  stop?(): Promise<void>;
  /** At exit, after the sessions have drained: release files, databases, child processes. */
  close?(): void;
}
