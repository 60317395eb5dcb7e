import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConfigError } from "../config/errors.ts";
import { homePaths } from "../config/home.ts";
import { NO_HOME_ID } from "../protocol/daemon-identity.ts";
import { resolveEndpoint } from "./endpoint.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-endpoint-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const ID = "0123456789abcdef0123456789abcdef";

/** A home with the given files (relative path → content). */
function home(files: Record<string, string> = {}) {
  const root = join(dir, String(n++));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return homePaths(root);
}

test("derived from the home's Daemon.Host/Port, expecting this home's id (or one that matches nothing)", () => {
  const paths = home({ "config/netclaw.json": '{"Daemon":{"Port":6001}}', "config/home-id": ID });
  assert.deepEqual(resolveEndpoint({ env: {}, paths }), {
    url: "http://127.0.0.1:6001",
    source: "daemon config",
    expectHome: ID,
  });
  assert.deepEqual(resolveEndpoint({ env: {}, paths: home() }), {
    url: "http://127.0.0.1:5199",
    source: "default",
    expectHome: NO_HOME_ID,
  });
});

test("a configuration that does not load throws ConfigError naming it — never the default endpoint", () => {
  const cases: { paths: ReturnType<typeof home>; env: NodeJS.ProcessEnv; names: RegExp }[] = [
    { paths: home({ "config/netclaw.json": '{"Daemon":{"Port":6001},}' }), env: {}, names: /netclaw\.json/ },
    { paths: home({ "config/netclaw.json": "[1]" }), env: {}, names: /netclaw\.json/ },
    { paths: home({ "config/secrets.json": "{" }), env: {}, names: /secrets\.json/ },
    { paths: home(), env: { NETCLAW_Daemon__Port: "abc" }, names: /NETCLAW_Daemon__Port/ },
    { paths: home(), env: { NETCLAW_DAEMON__PORT: "70000" }, names: /NETCLAW_DAEMON__PORT/ },
    { paths: home({ "client/config.json": '{"Endpoint": ' }), env: {}, names: /client\/config\.json/ },
    {
      paths: home({ "client/config.json": '{"Endpoint": 5199}' }),
      env: {},
      names: /Endpoint in .*client\/config\.json/,
    },
    {
      paths: home({ "client/config.json": '{"Endpoint": "ftp://x"}' }),
      env: {},
      names: /client\/config\.json/,
    },
    // An explicit endpoint does not excuse a broken configuration (the token comes from it).
    {
      paths: home({ "config/netclaw.json": "{,}" }),
      env: { NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:6002" },
      names: /netclaw\.json/,
    },
  ];
  for (const { paths, env, names } of cases) {
    assert.throws(
      () => resolveEndpoint({ env, paths }),
      (error: unknown) =>
        error instanceof ConfigError && names.test(error.message) && error.remediation !== "",
      names.source,
    );
  }
});

test("an endpoint the user chose: expected to be the paired daemon when pairing recorded its id", () => {
  const paired = home({
    "client/config.json": JSON.stringify({ Endpoint: "https://box.example.ts.net/", HomeId: ID }),
  });
  assert.deepEqual(resolveEndpoint({ env: {}, paths: paired }), {
    url: "https://box.example.ts.net",
    source: "client/config.json",
    expectHome: ID,
  });
  const viaEnv = resolveEndpoint({
    env: { NETCLAW_DAEMON_ENDPOINT: "https://box.example.ts.net" },
    paths: paired,
  });
  assert.equal(viaEnv.expectHome, ID);
  const elsewhere = resolveEndpoint({
    env: { NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:6003" },
    paths: paired,
  });
  assert.deepEqual(elsewhere, { url: "http://127.0.0.1:6003", source: "NETCLAW_DAEMON_ENDPOINT" });
  const blank = home({ "client/config.json": '{"Endpoint": "  "}', "config/home-id": ID });
  assert.deepEqual(resolveEndpoint({ env: {}, paths: blank }), {
    url: "http://127.0.0.1:5199",
    source: "default",
    expectHome: ID,
  });
  const unpaired = home({ "client/config.json": JSON.stringify({ Endpoint: "http://127.0.0.1:6004" }) });
  assert.equal(resolveEndpoint({ env: {}, paths: unpaired }).expectHome, undefined);
});
