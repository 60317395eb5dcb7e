import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { type WebhookRouteInput, writeRouteFile } from "../../../config/webhook-routes.ts";
import { createApp } from "../../http/app.ts";
import { createAuthenticator } from "../../http/auth.ts";
import { createHostGuard } from "../../http/host-guard.ts";
import { createLogger } from "../../lifecycle/logger.ts";
import { createRouteRegistry, type RouteRegistry } from "./route-registry.ts";
import { createWebhookRoutes, type SessionStarter, type WebhookSessionRequest } from "./webhook-routes.ts";

export const SECRET = "whsec-test-0123456789abcdef";

/** A recording SessionStarter: the real interface, answering with sequential session ids. */
export function recordingStarter(options: { fail?: () => boolean } = {}) {
  const calls: WebhookSessionRequest[] = [];
  const start: SessionStarter = async (request) => {
    if (options.fail?.()) throw new Error("engine unavailable");
    calls.push(request);
    return { sessionId: `session-${calls.length}` };
  };
  return { calls, start };
}

/**
 * The daemon's real HTTP app (host guard, authenticator, error handler) with only the webhook
 * registrar, a temp `config/webhooks/`, a manual clock and a log captured in memory.
 */
export function webhookHarness(
  options: { enabled?: boolean; routes?: Record<string, WebhookRouteInput>; failStart?: () => boolean } = {},
) {
  const root = mkdtempSync(join(tmpdir(), "netclaw-webhooks-"));
  const dir = join(root, "config", "webhooks");
  for (const [name, route] of Object.entries(options.routes ?? {})) writeRouteFile({ dir, name, route });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: "Information", destination: sink });
  const clock = { now: Date.parse("2026-11-23T12:00:00Z") };
  const registry: RouteRegistry = createRouteRegistry({ dir, logger, debounceMs: 30 });
  const starter = recordingStarter({ fail: options.failStart });
  let ids = 0;
  const enabled = { value: options.enabled ?? true };
  // inject() sends `Host: localhost:80`; a test that listens gets its real port.
  const port = () => (app.server.listening ? (app.server.address() as AddressInfo).port : 80);
  const app: FastifyInstance = createApp({
    logger,
    hostGuard: createHostGuard({ bindHost: "127.0.0.1", allowedHosts: [], enforceHost: true, port }),
    authenticate: createAuthenticator({ trustLoopback: false }),
    trustProxy: false,
    routes: [
      createWebhookRoutes({
        enabled: () => enabled.value,
        registry,
        startSession: starter.start,
        now: () => clock.now,
        newId: () => `generated-${++ids}`,
        logger,
      }),
    ],
  });
  return {
    app,
    dir,
    clock,
    registry,
    starter,
    enabled,
    logText: () => logLines.join(""),
    async close() {
      registry.close();
      await app.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A minimal valid route (Hmac by default) for tests. */
export function route(overrides: Partial<WebhookRouteInput> = {}): WebhookRouteInput {
  return {
    Prompt: "Summarise the delivery and tell me if anything failed.",
    Verification: { Kind: "Hmac", Secret: SECRET },
    ...overrides,
  };
}
