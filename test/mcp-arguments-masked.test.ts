import assert from "node:assert/strict";
import { after, test } from "node:test";
import { cleanEnv, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const GHP = `ghp_${"a1B2".repeat(9)}`;
// Each credential on a stdio server's command line, in the shapes such command lines take.
const ARGS = [
  "--verbose",
  "--token=tok-AAAA1111",
  "--api-key",
  "key-BBBB2222",
  "-t",
  "tee-CCCC3333",
  "postgres://admin:pw-DDDD4444@127.0.0.1/db",
  "GITHUB_TOKEN=gh-EEEE5555",
  GHP,
  "--header",
  "X-Session-Cookie: crumb-FFFF6666",
  "plain-arg",
];
const LEAKS = ["AAAA1111", "BBBB2222", "CCCC3333", "DDDD4444", "EEEE5555", GHP, "FFFF6666"];
const KEPT = ["--verbose", "--token=", "--api-key", "-t", "@127.0.0.1/db", "GITHUB_TOKEN=", "plain-arg"];

test("tokens on an MCP server's command line are masked by config get, mcp list and mcp get", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:9" });
  const added = await runCli(
    ["mcp", "add", "db", "--command", process.execPath, ...ARGS.flatMap((arg) => [`--arg=${arg}`])],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  for (const leak of LEAKS) assert.ok(!added.stdout.includes(leak) && !added.stderr.includes(leak));

  const outputs = await Promise.all(
    [
      ["mcp", "list"],
      ["mcp", "list", "--json"],
      ["mcp", "get", "db"],
      ["config", "get", "McpServers"],
      ["config", "get", "McpServers.db.Arguments", "--json"],
      ["config", "get", "McpServers.db"],
    ].map((args) => runCli(args, env)),
  );
  for (const out of outputs) {
    assert.equal(out.code, 0, out.stderr);
    for (const leak of LEAKS) assert.ok(!out.stdout.includes(leak), `${leak} printed:\n${out.stdout}`);
    for (const kept of KEPT) assert.ok(out.stdout.includes(kept), `${kept} missing:\n${out.stdout}`);
  }
  const listed = JSON.parse(outputs[1]!.stdout)[0].arguments;
  assert.deepEqual(listed.slice(1, 8), [
    "--token=(hidden)",
    "--api-key",
    "(hidden)",
    "-t",
    "(hidden)",
    "postgres://***REDACTED***@127.0.0.1/db",
    "GITHUB_TOKEN=(hidden)",
  ]);

  // One argument alone is judged with the one before it: `--api-key` makes the next a secret.
  const lone = await runCli(["config", "get", "McpServers.db.Arguments.3"], env);
  assert.equal(lone.stdout.trim(), "(hidden)");
  const plain = await runCli(["config", "get", "McpServers.db.Arguments.11"], env);
  assert.equal(plain.stdout.trim(), "plain-arg");
});

test("config set echoes an argument masked when the argument before it makes it a credential", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:9" });
  const added = await runCli(
    ["mcp", "add", "db", "--command", process.execPath, "--arg=--token", "--arg=x"],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  const set = await runCli(["config", "set", "McpServers.db.Arguments.1", "tok-GGGG7777"], env);
  assert.equal(set.code, 0, set.stderr);
  assert.ok(!set.stdout.includes("GGGG7777"), set.stdout);
  assert.match(set.stdout, /Set McpServers\.db\.Arguments\.1 = "\(hidden\)"/);
  const whole = await runCli(
    ["config", "set", "McpServers.db.Arguments", '["--verbose","--api-key=HHHH8888"]'],
    env,
  );
  assert.equal(whole.code, 0, whole.stderr);
  assert.match(whole.stdout, /= \["--verbose","--api-key=\(hidden\)"\]/);
});
