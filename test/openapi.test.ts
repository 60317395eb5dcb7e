import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { cleanEnv, startDaemon, tempHomes } from "./helpers/processes.ts";
import type { RecordedRoute } from "./helpers/route-recorder.ts";

const homes = tempHomes();
after(homes.cleanup);

const RECORDER = join(import.meta.dirname, "helpers", "route-recorder.ts");
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

type Operation = { operationId?: string; security?: unknown[] };
type Document = { servers?: { url: string }[]; paths: Record<string, Record<string, Operation>> };

/** `METHOD /path/{param}` of each operation in the document. */
function documented(document: Document): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item))
      if (METHODS.includes(method)) out.set(`${method.toUpperCase()} ${path}`, operation);
  return out;
}

/**
 * `METHOD /path/{param}` of each route fastify registered. The HEAD route fastify adds beside
 * each GET is that GET without a body (HTTP semantics), so it needs no operation of its own.
 */
function served(routes: RecordedRoute[]): Map<string, RecordedRoute> {
  const gets = new Set(routes.filter((r) => r.method === "GET").map((r) => r.url));
  const out = new Map<string, RecordedRoute>();
  for (const route of routes) {
    if (route.method === "HEAD" && gets.has(route.url)) continue;
    out.set(`${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`, route);
  }
  return out;
}

async function lint(document: Document): Promise<string[]> {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: "openapi.json",
    config,
  });
  return problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`);
}

test("GET /api/openapi.json documents every route the daemon serves, passes Redocly's recommended rules, and names its server", async () => {
  const home = homes.home();
  const routesFile = join(home, "routes.json");
  const daemon = await startDaemon({
    env: cleanEnv({
      NETCLAW_HOME: home,
      // Features on, so routes registered only for an enabled feature would be seen too.
      NETCLAW_Webhooks__Enabled: "true",
      NETCLAW_Scheduling__Enabled: "true",
      NETCLAW_Memory__Enabled: "true",
      NODE_OPTIONS: `--import=${RECORDER}`,
      NETCLAW_TEST_ROUTES_FILE: routesFile,
    }),
  });
  try {
    const response = await fetch(`${daemon.url}/api/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const document = (await response.json()) as Document;

    assert.deepEqual(await lint(document), [], "Redocly recommended: no errors and no warnings");
    assert.deepEqual(document.servers, [{ url: daemon.url, description: "This daemon" }]);

    const routes = served(JSON.parse(readFileSync(routesFile, "utf8")) as RecordedRoute[]);
    const operations = documented(document);
    assert.ok(routes.size >= 20, `the recorder saw the daemon's routes (${routes.size})`);
    const undocumented = [...routes.keys()].filter((key) => !operations.has(key));
    assert.deepEqual(undocumented, [], "every served route has an operation");
    const notServed = [...operations.keys()].filter((key) => !routes.has(key));
    assert.deepEqual(notServed, [], "every operation is a served route");

    const ids = [...operations.values()].map((operation) => operation.operationId);
    assert.ok(
      ids.every((id) => typeof id === "string" && id !== ""),
      "every operation has an operationId",
    );
    assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
    // `security: []` exactly on the routes that skip authentication.
    for (const [key, route] of routes) {
      const security = operations.get(key)?.security;
      const anonymous = Array.isArray(security) && security.length === 0;
      assert.equal(anonymous, route.anonymous, `${key}: security: [] iff the route is anonymous`);
    }
  } finally {
    await daemon.stop();
  }
});
