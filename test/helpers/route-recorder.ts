/**
 * Preloaded into a real netclawd (`NODE_OPTIONS=--import=<this file>`) by tests that need the
 * routes fastify actually registered: every route is recorded through fastify's own `onRoute`
 * hook, and the list is written to `$NETCLAW_TEST_ROUTES_FILE` once the app is ready. It uses
 * fastify's public `fastify.initialization` diagnostics channel, so the daemon needs no test hook.
 */
import { subscribe } from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";
import type { FastifyInstance, RouteOptions } from "fastify";

export type RecordedRoute = { method: string; url: string; anonymous: boolean };

const out = process.env.NETCLAW_TEST_ROUTES_FILE;
if (out) {
  subscribe("fastify.initialization", (message) => {
    const { fastify } = message as { fastify: FastifyInstance };
    const routes: RecordedRoute[] = [];
    fastify.addHook("onRoute", (route: RouteOptions) => {
      const anonymous = (route.config as { anonymous?: boolean } | undefined)?.anonymous === true;
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, anonymous });
    });
    fastify.addHook("onReady", async () => writeFileSync(out, JSON.stringify(routes)));
  });
}
