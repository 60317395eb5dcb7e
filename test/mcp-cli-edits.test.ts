import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const STDIO_SERVER = join(import.meta.dirname, "fixtures", "mcp", "stdio-server.ts");
/** Nothing listens here: the CLI finds no daemon (and never the developer's own on 5199). */
const NO_DAEMON = "http://127.0.0.1:9";

const read = (home: string, file: string) => readFileSync(join(home, "config", file), "utf8");
const config = (home: string) => JSON.parse(read(home, "netclaw.json"));

test("mcp tools --grant refuses tool names the connected server does not have, and writes nothing", async () => {
  const home = homes.home();
  const offline = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: NO_DAEMON });
  const add = ["mcp", "add", "local", "--command", process.execPath, "--arg", STDIO_SERVER];
  assert.equal((await runCli(add, offline)).code, 0);
  const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: home }) });
  const env = { ...offline, NETCLAW_DAEMON_ENDPOINT: daemon.url };
  try {
    // The server connects after the daemon is ready: wait until the daemon knows its tools.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const listed = await runCli(["mcp", "tools", "local", "--json"], env);
      if (listed.code === 0 && JSON.parse(listed.stdout).server.state === "connected") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const before = read(home, "netclaw.json");
    for (const [grant, audience, pattern] of [
      [
        "echo,nope",
        "personal",
        /has no tool named 'nope'; nothing was changed\. Its tools: crash, echo, fail, slow\./,
      ],
      ["Echo", "team", /has no tool named 'Echo'/], // names are exact, as the policy matches them
      ["local/nope", "public", /has no tool named 'nope'/],
      ["other/echo", "personal", /'other\/echo' names a tool of server 'other', not of 'local'/],
      [",", "personal", /--grant takes tool names/],
    ] as const) {
      const refused = await runCli(["mcp", "tools", "local", "--audience", audience, "--grant", grant], env);
      assert.equal(refused.code, 2, `${grant}: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.stderr, pattern);
      assert.equal(read(home, "netclaw.json"), before, `${grant}: nothing written`);
    }
    // Last, since a written change makes the daemon restart itself.
    const granted = await runCli(["mcp", "tools", "local", "--grant", "LOCAL/echo,slow"], env);
    assert.equal(granted.code, 0, granted.stderr);
    assert.equal(granted.stderr, "", "checked against the server: no warning");
    assert.deepEqual(config(home).Tools.AudienceProfiles.Personal.McpServerToolGrants.local, [
      "echo",
      "slow",
    ]);
  } finally {
    await daemon.stop();
  }

  // No daemon: the names cannot be checked, so they are granted with a warning saying so.
  const unchecked = await runCli(["mcp", "tools", "local", "--grant", "fail"], offline);
  assert.equal(unchecked.code, 0, unchecked.stderr);
  assert.match(
    unchecked.stderr,
    /warning: the tool names could not be checked \(no daemon answers at http:\/\/127\.0\.0\.1:9\)/,
  );
  // A revoke must name a grant: a typo would otherwise leave the tool granted.
  const typo = await runCli(["mcp", "tools", "local", "--revoke", "slwo"], offline);
  assert.equal(typo.code, 2);
  assert.match(
    typo.stderr,
    /'slwo' is not granted in .*McpServerToolGrants\.local \(granted: echo, fail, slow\)/,
  );
  assert.deepEqual(config(home).Tools.AudienceProfiles.Personal.McpServerToolGrants.local, [
    "echo",
    "fail",
    "slow",
  ]);
});

test("mcp remove takes the server's grants, defaults, overrides, allow-list entries, approvals and secrets with it", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: NO_DAEMON });
  const cli = (...args: string[]) => runCli(args, env);
  const web = ["--url", "http://127.0.0.1:9/mcp", "--header", "Authorization=Bearer s3cret"];
  assert.equal((await cli("mcp", "add", "files", ...web, "--grant-all")).code, 0);
  assert.equal((await cli("mcp", "add", "filesystem", "--command", process.execPath, "--grant-all")).code, 0);
  assert.equal((await cli("mcp", "tools", "files", "--audience", "team", "--grant", "read")).code, 0);
  const edited = config(home);
  const team = edited.Tools.AudienceProfiles.Team;
  team.AllowedMcpServers = ["filesystem", "Files"];
  team.ApprovalPolicy.ToolOverrides = { "files/read": "Auto", "filesystem/read": "Auto", file_read: "Auto" };
  writeFileSync(join(home, "config", "netclaw.json"), JSON.stringify(edited));
  const grant = (tool: string) => ({
    verb: "call",
    scope: "anywhere",
    createdAt: "2026-01-01T00:00:00Z",
    tool,
  });
  const approvals = (grants: ReturnType<typeof grant>[]) => ({
    version: 3,
    grants: { Personal: Object.fromEntries(grants.map(({ tool, ...rest }) => [tool, [rest]])) },
  });
  mkdirSync(join(home, "config"), { recursive: true });
  const approvalsFile = join(home, "config", "tool-approvals.json");
  writeFileSync(approvalsFile, JSON.stringify(approvals([grant("files/read"), grant("filesystem/read")])));

  // An approvals file that cannot be read: refused before anything is changed.
  writeFileSync(approvalsFile, "{not json");
  const before = read(home, "netclaw.json");
  const blocked = await cli("mcp", "remove", "files");
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /The approvals of 'files' cannot be removed: .*nothing was changed/);
  assert.equal(read(home, "netclaw.json"), before);
  writeFileSync(approvalsFile, JSON.stringify(approvals([grant("files/read"), grant("filesystem/read")])));

  const removed = await cli("mcp", "remove", "FILES");
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^Removed MCP server 'files' and everything that referred to it:/);
  for (const line of [
    "McpServers.files",
    'Tools.AudienceProfiles.Personal.McpServerToolGrants.files (["*"])',
    'Tools.AudienceProfiles.Team.McpServerToolGrants.files (["read"])',
    'Tools.AudienceProfiles.Public.ApprovalPolicy.McpServerDefaults.files ("Deny")',
    'Tools.AudienceProfiles.Team.ApprovalPolicy.ToolOverrides."files/read"',
    "Tools.AudienceProfiles.Team.AllowedMcpServers entry 'files'",
    "1 persistent approval of its tools",
    "McpServers.files in secrets.json",
  ])
    assert.ok(removed.stdout.includes(line), `lists ${line}:\n${removed.stdout}`);
  const after = read(home, "netclaw.json");
  assert.doesNotMatch(after, /"files["/]/i, "no reference to 'files' is left");
  const kept = JSON.parse(after).Tools.AudienceProfiles;
  assert.deepEqual(kept.Team.AllowedMcpServers, ["filesystem"]);
  assert.deepEqual(kept.Team.ApprovalPolicy.ToolOverrides, { "filesystem/read": "Auto", file_read: "Auto" });
  assert.deepEqual(kept.Personal.McpServerToolGrants, { filesystem: ["*"] });
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(approvalsFile, "utf8")).grants.Personal), [
    "filesystem/read",
  ]);
  assert.doesNotMatch(read(home, "secrets.json"), /files/i, "its header secret is gone");

  // Leftovers of a server removed by hand are cleaned up too; a name nothing refers to is an error.
  const leftover = config(home);
  leftover.Tools.AudienceProfiles.Personal.McpServerToolGrants.ghost = ["x"];
  writeFileSync(join(home, "config", "netclaw.json"), JSON.stringify(leftover));
  const ghost = await cli("mcp", "remove", "ghost");
  assert.equal(ghost.code, 0, ghost.stderr);
  assert.match(ghost.stdout, /McpServerToolGrants\.ghost/);
  const unknown = await cli("mcp", "remove", "ghost");
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No MCP server named 'ghost' is configured/);

  // A server set by environment variables cannot be removed from a file: refused, named, nothing changed.
  const fromEnv = await runCli(["mcp", "remove", "filesystem"], {
    ...env,
    NETCLAW_McpServers__FileSystem__Arguments__0: "x",
  });
  assert.equal(fromEnv.code, 1);
  assert.match(
    fromEnv.stderr,
    /set by environment variables \(NETCLAW_McpServers__FileSystem__Arguments__0\)/,
  );
  assert.ok(config(home).McpServers.filesystem, "still configured");
});

test("mcp add warns at once about a command the daemon will not find, and still adds it", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: NO_DAEMON });
  const missing = await runCli(["mcp", "add", "x", "--command", "mcp-server-not-installed"], env);
  assert.equal(missing.code, 0);
  assert.match(missing.stdout, /Added MCP server 'x'/);
  assert.match(missing.stderr, /^warning: 'mcp-server-not-installed' was not found on PATH\./);
  assert.equal(config(home).McpServers.x.Command, "mcp-server-not-installed");
  const ownPath = await runCli(["mcp", "add", "y", "--command", "node", "--env", "PATH=/nonexistent"], env);
  assert.match(ownPath.stderr, /'node' was not found on PATH/, "the server's own PATH decides");
  const relative = await runCli(["mcp", "add", "z", "--command", "./server.sh"], env);
  assert.match(relative.stderr, /'\.\/server\.sh' is not an executable file here/);
  const found = await runCli(["mcp", "add", "w", "--command", process.execPath], env);
  assert.equal(found.code, 0);
  assert.equal(found.stderr, "");
});
