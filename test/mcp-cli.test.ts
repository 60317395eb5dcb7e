import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { fakeModelEnv } from "./helpers/model-env.ts";
import { cleanEnv, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const STDIO_SERVER = join(import.meta.dirname, "fixtures", "mcp", "stdio-server.ts");

test("netclaw mcp add/list/get/disable/enable/remove edit netclaw.json; headers go to secrets.json encrypted; tools asks the daemon", async () => {
  const home = homes.home();
  // No daemon answers here while the CLI edits the file (grants then go unchecked, with a warning).
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:9" });
  const added = await runCli(
    ["mcp", "add", "local", "--command", process.execPath, "--arg", STDIO_SERVER],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  const web = await runCli(
    [
      "mcp",
      "add",
      "web",
      "--url",
      "http://127.0.0.1:9/mcp",
      "--header",
      "Authorization=Bearer s3cret-value",
      "--grant-all",
    ],
    env,
  );
  assert.equal(web.code, 0, web.stderr);
  const config = JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8"));
  assert.deepEqual(config.McpServers.local, {
    Transport: "stdio",
    Command: process.execPath,
    Arguments: [STDIO_SERVER],
    Enabled: true,
  });
  // Approval defaults per audience, and no grants: the server's tools are usable by nobody yet.
  const profiles = config.Tools.AudienceProfiles;
  assert.deepEqual(
    ["Personal", "Team", "Public"].map((a) => profiles[a].ApprovalPolicy.McpServerDefaults.local),
    ["Auto", "Approval", "Deny"],
  );
  assert.equal(profiles.Personal.McpServerToolGrants.local, undefined);
  assert.match(added.stdout, /not granted to anyone yet: see them with `netclaw mcp tools local`/);

  // Grants are edited in netclaw.json, per audience; `*` is every tool.
  const grant = await runCli(["mcp", "tools", "local", "--grant", "echo,local/slow"], env);
  assert.equal(grant.code, 0, grant.stderr);
  assert.match(grant.stdout, /Granted to Personal from 'local': echo, slow\./);
  const readGrants = () =>
    JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8")).Tools.AudienceProfiles;
  assert.deepEqual(readGrants().Personal.McpServerToolGrants.local, ["echo", "slow"]);
  assert.equal((await runCli(["mcp", "tools", "local", "--revoke", "slow"], env)).code, 0);
  assert.equal((await runCli(["mcp", "tools", "local", "--audience", "team", "--grant-all"], env)).code, 0);
  assert.deepEqual(readGrants().Personal.McpServerToolGrants.local, ["echo"]);
  assert.deepEqual(readGrants().Team.McpServerToolGrants.local, ["*"]);
  assert.equal((await runCli(["mcp", "tools", "local", "--audience", "team", "--revoke", "*"], env)).code, 0);
  assert.equal(readGrants().Team.McpServerToolGrants, undefined);
  const badAudience = await runCli(["mcp", "tools", "local", "--audience", "admins", "--grant", "echo"], env);
  assert.equal(badAudience.code, 2);
  assert.match(badAudience.stderr, /--audience takes Personal, Team or Public, not 'admins'/);
  assert.equal(config.McpServers.web.Url, "http://127.0.0.1:9/mcp");
  assert.deepEqual(config.Tools.AudienceProfiles.Personal.McpServerToolGrants.web, ["*"]);
  const secrets = readFileSync(join(home, "config", "secrets.json"), "utf8");
  assert.doesNotMatch(secrets, /s3cret-value/);
  assert.match(secrets, /ENC:v1:/);

  const listed = JSON.parse((await runCli(["mcp", "list", "--json"], env)).stdout);
  assert.deepEqual(
    listed.map((s: { name: string; transport: string }) => [s.name, s.transport]),
    [
      ["local", "stdio"],
      ["web", "http"],
    ],
  );
  const shown = await runCli(["mcp", "get", "web"], env);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /"Authorization"/);
  assert.doesNotMatch(shown.stdout, /s3cret/);

  assert.equal((await runCli(["mcp", "disable", "web"], env)).code, 0);
  assert.equal(
    JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8")).McpServers.web.Enabled,
    false,
  );
  assert.equal((await runCli(["mcp", "remove", "web"], env)).code, 0);
  const missing = await runCli(["mcp", "get", "web"], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No MCP server named 'web'/);
  const both = await runCli(["mcp", "add", "x", "--command", "a", "--url", "http://b"], env);
  assert.equal(both.code, 2);
  assert.equal(
    (await runCli(["mcp", "add", "old", "--url", "http://127.0.0.1:9/sse", "--sse"], env)).code,
    0,
  );
  assert.equal(JSON.parse((await runCli(["mcp", "get", "old"], env)).stdout).transport, "sse");
  assert.equal((await runCli(["mcp", "remove", "old"], env)).code, 0);

  const upstream = await createFakeUpstream({ handler: () => ({ text: "ok" }) });
  const daemon = await startDaemon({ env: fakeModelEnv({ home, upstream }) });
  try {
    const tools = await runCli(["mcp", "tools", "local"], { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url });
    assert.equal(tools.code, 0, tools.stderr);
    assert.match(tools.stdout, /^local: connected/);
    assert.match(tools.stdout, /local\/echo\s+Auto\s.*\[MCP server local\] Echo the text back\./);
    assert.match(tools.stdout, /local\/echo\s+Auto\s+server not allowed\s+server not allowed/);
    assert.match(tools.stdout, /local\/fail\s+not granted\s+server not allowed/);
    const status = await runCli(["status"], { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url });
    assert.match(status.stdout, /mcp\s+local connected \(4 tools, 1 granted\)/);
    const doctor = await runCli(["doctor"], { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url });
    assert.match(doctor.stdout, /MCP local.*connected \(4 tools, 1 granted\)/);
    assert.match(doctor.stdout, /Memory.*0 items, 0 proposals pending/);
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
