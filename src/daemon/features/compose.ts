import type { FastifyInstance } from "fastify";
import type { ExtraTool } from "../agent/extra-tools.ts";
import {
  createSessionAudience,
  type SessionAudience,
  type SessionInfo,
  type TurnInfo,
} from "../sessions/audience.ts";
import type { Tool } from "../tools/tool.ts";
import type { DaemonFeature, FeatureStatus, TurnTexts } from "./feature.ts";

/**
 * Every hook of the daemon's features composed into one, each with one loop, for main.ts. It
 * reads `features()` on each call: the core (tools, sessions) is built before the features that
 * use it, so the list is empty until they are open, and the composed hooks answer as if there were
 * none until then.
 */
export function composeFeatures(features: () => readonly DaemonFeature[]) {
  const audienceOf = createSessionAudience(() => ({
    sessions: features().flatMap((f) => (f.audienceOf ? [f.audienceOf.bind(f)] : [])),
    requesters: features().flatMap((f) => (f.audienceOfRequester ? [f.audienceOfRequester.bind(f)] : [])),
  }));
  return {
    /** A turn's audience: the least stored one its owners answer, else its channel's (audience.ts). */
    audienceOf,
    /**
     * The features' tools of one session, per turn: a turn a reminder drives gets the tools of
     * the reminder's audience. Built once per audience (their schemas cost time).
     */
    extraTools(session: SessionInfo): (turn: { requester?: string | undefined }) => ExtraTool[] {
      const built = new Map<SessionAudience, ExtraTool[]>();
      return (turn) => {
        const audience = audienceOf({ ...session, requester: turn.requester });
        let tools = built.get(audience);
        if (!tools) {
          tools = features().flatMap((f) => f.tools?.({ ...session, audience }) ?? []);
          built.set(audience, tools);
        }
        return tools;
      };
    },
    /** The tools the tool runner dispatches under the tool policy (the MCP servers'). */
    policyTools: (): Tool[] => features().flatMap((f) => [...(f.policyTools?.() ?? [])]),
    /** The features' context blocks for a turn's volatile prompt block, joined ("" for none). */
    async beforeTurn(turn: TurnInfo & { text: string }): Promise<string> {
      const blocks = await Promise.all(features().map((f) => f.beforeTurn?.(turn) ?? ""));
      return blocks.filter((block) => block !== "").join("\n\n");
    },
    async afterTurn(turn: TurnInfo & TurnTexts): Promise<void> {
      await Promise.all(features().map((f) => f.afterTurn?.(turn)));
    },
    routes: (): Array<(app: FastifyInstance) => void> => features().flatMap((f) => f.routes ?? []),
    /** Each feature's status sections; a throwing feature's are left out, never the others'. */
    status(): Partial<FeatureStatus> {
      const sections: Partial<FeatureStatus> = {};
      for (const f of features()) {
        try {
          Object.assign(sections, f.status?.());
        } catch {
          // `status` must answer even when one feature is broken
        }
      }
      return sections;
    },
    /** The secret values the features know now (webhook routes'). */
    secrets: (): string[] => features().flatMap((f) => f.secrets?.() ?? []),
    start(): void {
      for (const f of features()) f.start?.();
    },
    async stop(): Promise<void> {
      for (const f of features()) await f.stop?.();
    },
    close(): void {
      for (const f of features()) f.close?.();
    },
  };
}
