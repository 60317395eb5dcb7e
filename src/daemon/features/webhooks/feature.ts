import { randomUUID } from "node:crypto";
import type { Channel } from "../../../protocol/sessions.ts";
import type { Logger } from "../../lifecycle/logger.ts";
import type { DaemonFeature } from "../feature.ts";
import { createRouteRegistry } from "./route-registry.ts";
import { webhookSessionAudience } from "./session-audience.ts";
import { createWebhookRoutes } from "./webhook-routes.ts";

/** The part of the session registry a webhook delivery needs. */
export type WebhookSessions = {
  startUnattended(request: {
    name: string;
    channel: Channel;
    text: string;
    timeoutMs: number;
  }): Promise<{ sessionId: string }>;
};

/**
 * Webhooks as a daemon feature: the routes of `config/webhooks/` (reloaded on their own), the
 * `/api/webhooks/:route` receiver starting one unattended session per delivery, the stored
 * audience of those sessions (their route's, read per turn) and the routes' secrets (never logged).
 */
export function createWebhooksFeature(options: {
  dir: string;
  enabled: () => boolean;
  executionTimeoutSeconds: number;
  sessions: WebhookSessions;
  /** The daemon's logger: the feature logs as `component: "webhooks"`. */
  logger: Logger;
}): DaemonFeature {
  const logger = options.logger.child({ component: "webhooks" }, { level: "info" });
  const registry = createRouteRegistry({ dir: options.dir, logger });
  return {
    name: "webhooks",
    // A webhook delivery's session has its route's audience (Public when the route is gone).
    audienceOf: (session) => webhookSessionAudience(session, registry),
    secrets: () => registry.list().flatMap((file) => (file.ok ? [file.route.Verification.Secret] : [])),
    routes: [
      createWebhookRoutes({
        enabled: options.enabled,
        registry,
        startSession: async (request) =>
          options.sessions.startUnattended({
            name: request.sessionKey,
            channel: request.channel,
            text: request.prompt,
            timeoutMs: request.timeoutMs,
          }),
        now: Date.now,
        newId: randomUUID,
        logger,
        executionTimeoutSeconds: options.executionTimeoutSeconds,
      }),
    ],
    close: () => registry.close(),
  };
}
