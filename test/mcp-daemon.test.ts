import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SessionEvent } from "../src/protocol/events.ts";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { startHttpMcpServer } from "./fixtures/mcp/http-server.ts";
import { startSseMcpServer } from "./fixtures/mcp/sse-server.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { cleanEnv, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";
import { createToolModel, runToolTurn, startToolDaemon } from "./helpers/tool-turns.ts";

const homes = tempHomes();
after(homes.cleanup);

const STDIO_SERVER = join(import.meta.dirname, "fixtures", "mcp", "stdio-server.ts");

/** `Tools.AudienceProfiles.<audience>.McpServerToolGrants.<server>` as environment variables. */
function grants(audience: string, servers: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [server, tools] of Object.entries(servers))
    tools.forEach((tool, i) => {
      out[`NETCLAW_Tools__AudienceProfiles__${audience}__McpServerToolGrants__${server}__${i}`] = tool;
    });
  return out;
}

/**
 * Each prompt "call <tool> [json]" makes the fake model call that tool once (by its wire name:
 * vendors allow no `/`, so `local/echo` travels as `local__echo`), then answer "done".
 */
function toolCaller() {
  return createFakeUpstream({
    handler: (request) => {
      if (callKind(request) !== "turn") return { text: "MCP" };
      if (request.endsWithToolResult) return { text: "done" };
      const match = /^call (\S+)(?: (.*))?$/.exec(request.lastUserText ?? "");
      if (!match) return { text: "nothing to do" };
      const wire = match[1]!.replaceAll("/", "__");
      return { toolCalls: [{ name: wire, arguments: match[2] ? JSON.parse(match[2]) : {} }] };
    },
  });
}

test("MCP servers over stdio and streamable HTTP: tools as <server>/<tool>, a crash mid-call degrades and the next call reconnects", async () => {
  const upstream = await toolCaller();
  let remote = await startHttpMcpServer();
  const legacy = await startSseMcpServer();
  const home = homes.home();
  const env = fakeModelEnv({
    home,
    upstream,
    extra: {
      NETCLAW_McpServers__local__Command: process.execPath,
      NETCLAW_McpServers__local__Arguments__0: STDIO_SERVER,
      NETCLAW_McpServers__remote__Transport: "http",
      NETCLAW_McpServers__remote__Url: remote.url,
      NETCLAW_McpServers__remote__Headers__Authorization: "Bearer ${MCP_TEST_TOKEN}",
      MCP_TEST_TOKEN: "t0ken",
      NETCLAW_McpServers__legacy__Transport: "sse",
      NETCLAW_McpServers__legacy__Url: legacy.url,
      NETCLAW_McpServers__down__Transport: "http",
      NETCLAW_McpServers__down__Url: "http://127.0.0.1:9/mcp",
      NETCLAW_Tools__AudienceProfiles__Public__McpServersMode: "Allowlist",
      NETCLAW_Tools__AudienceProfiles__Public__AllowedMcpServers__0: "remote",
      // Servers start with no grants: each audience is granted tools explicitly.
      ...grants("Personal", { local: ["*"], remote: ["echo"], legacy: ["*"], down: ["*"] }),
      ...grants("Public", { remote: ["echo"], local: ["*"] }),
    },
  });
  const daemon = await startDaemon({ env });
  const api = apiClient(daemon.url);
  const session = await api.createSession({ channel: "chat" });
  let turns = 0;
  const ask = async (text: string) => {
    turns += 1;
    await api.send(session, text);
    for (let i = 0; i < 200; i++) {
      const events = await api.transcript(session);
      if (events.filter((e) => e.type === "turn_completed").length >= turns) {
        const results = events.filter(
          (e): e is Extract<SessionEvent, { type: "tool_result" }> => e.type === "tool_result",
        );
        return results.at(-1)!;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no answer to ${text}`);
  };
  try {
    const status = JSON.parse(
      (await runCli(["status", "--json"], { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url })).stdout,
    );
    const byName = Object.fromEntries(status.mcp.map((s: { name: string }) => [s.name, s]));
    assert.equal(byName.local.state, "connected");
    assert.equal(byName.local.tools, 4);
    assert.equal(byName.local.granted, 4);
    assert.equal(byName.remote.granted, 1, "only remote/echo is granted");
    assert.equal(byName.remote.state, "connected");
    assert.equal(byName.legacy.state, "connected");
    assert.equal(byName.down.state, "degraded");

    let result = await ask('call local/echo {"text":"hi"}');
    assert.deepEqual(
      [result.toolName, result.result, result.isError],
      ["local/echo", "stdio echo: hi", false],
    );
    const offered = upstream.requests.find((r) => r.rawBody.includes('"local__echo"'));
    assert.ok(offered?.rawBody.includes('"remote__echo"'), "both servers' tools were offered");
    assert.ok(!upstream.requests.some((r) => r.rawBody.includes('"local/echo"')), "no '/' in a wire name");
    assert.ok(!offered?.rawBody.includes('"remote__fail"'), "a tool nobody granted is not offered");
    result = await ask("call remote/fail");
    assert.equal(result.isError, true);
    assert.match(result.result, /Unknown tool 'remote(__|\/)fail'/);

    result = await ask('call remote/echo {"text":"over http"}');
    assert.equal(result.result, "http echo: over http");
    assert.ok(remote.authorizations.includes("Bearer t0ken"), "Headers are sent with ${ENV} expanded");

    result = await ask('call legacy/echo {"text":"old transport"}');
    assert.equal(result.result, "sse echo: old transport");

    result = await ask("call local/fail");
    assert.deepEqual([result.result, result.isError], ["the disk is on fire", true]);

    result = await ask("call local/crash");
    assert.equal(result.isError, true);
    assert.match(result.result, /MCP server 'local' failed during the call/);
    const degraded = (await api.call("GET", "/api/mcp/servers")).body.servers.find(
      (s: { name: string }) => s.name === "local",
    );
    assert.equal(degraded.state, "degraded");

    result = await ask('call local/echo {"text":"again"}');
    assert.deepEqual([result.result, result.isError], ["stdio echo: again", false]);

    // The HTTP server goes away: a clear error; back on the same port, the next call reconnects.
    await remote.close();
    result = await ask('call remote/echo {"text":"anyone?"}');
    assert.equal(result.isError, true);
    assert.match(result.result, /MCP server 'remote' failed during the call/);
    remote = await startHttpMcpServer({ port: remote.port });
    result = await ask('call remote/echo {"text":"back"}');
    assert.deepEqual([result.result, result.isError], ["http echo: back", false]);

    result = await ask("call down/anything");
    assert.equal(result.isError, true);

    // A Public (webhook) session sees only the servers its profile allows.
    const publicSession = await api.createSession({ channel: "webhook" });
    const mark = upstream.requests.length;
    await api.send(publicSession, "nothing");
    for (let i = 0; i < 100 && upstream.requests.length === mark; i++)
      await new Promise((r) => setTimeout(r, 50));
    const publicRequest = upstream.requests.slice(mark).find((r) => callKind(r) === "turn");
    assert.ok(publicRequest, "the Public session reached the model");
    assert.ok(publicRequest?.rawBody.includes('"remote__echo"'), "remote is allow-listed for Public");
    assert.ok(
      !publicRequest.rawBody.includes('"local__echo"'),
      "local is not allow-listed for Public, whatever its grants",
    );

    // The session lived through all of it.
    const summary = (await api.call("GET", `/api/sessions/${session}`)).body.session;
    assert.equal(summary.status, "idle");
  } finally {
    await daemon.stop();
    await remote.close();
    await legacy.close();
    await upstream.close();
  }
});

test("MCP tools take the tool policy's path: approval modes, session grants, unattended denial, the runner's time limit, redaction", async () => {
  const model = await createToolModel();
  const home = homes.home();
  const secret = "nc-test-provider-key-7f3a9c2e5b";
  const daemon = await startToolDaemon({
    home,
    model,
    extra: {
      NETCLAW_Providers__fake__ApiKey: secret,
      NETCLAW_Session__ToolExecutionTimeoutSeconds: "1",
      NETCLAW_McpServers__local__Command: process.execPath,
      NETCLAW_McpServers__local__Arguments__0: STDIO_SERVER,
      ...grants("Personal", { local: ["echo", "slow"] }),
      NETCLAW_Tools__AudienceProfiles__Personal__ApprovalPolicy__McpServerDefaults__local: "Approval",
      "NETCLAW_Tools__AudienceProfiles__Personal__ApprovalPolicy__ToolOverrides__local/slow": "Auto",
    },
  });
  const api = apiClient(daemon.url);
  const turn = (
    sessionId: string,
    calls: { name: string; arguments: Record<string, unknown> }[],
    answer?: string,
  ) => runToolTurn({ daemon, sessionId, text: model.script(calls), onApproval: () => answer });
  const echo = (text: string) => ({ name: "local__echo", arguments: { text } });
  try {
    const chat = await api.createSession({ channel: "chat" });
    // McpServerDefaults says Approval: the call waits for the requester, then runs.
    let run = await turn(chat, [echo("first")], "approve_session");
    assert.equal(run.approvals.length, 1);
    assert.equal(run.approvals[0]!.toolName, "local/echo");
    assert.deepEqual(run.approvals[0]!.options, [
      "approve_once",
      "approve_session",
      "approve_everywhere",
      "deny",
    ]);
    assert.match(run.approvals[0]!.summary, /local\/echo wants to call the MCP tool with \{"text":"first"\}/);
    assert.deepEqual(
      [run.results[0]!.result, run.results[0]!.isError],
      ["stdio echo: first\n[approval: this chat only]", false],
    );
    // "This chat" covers the next call; the output is redacted like any tool's.
    run = await turn(chat, [echo(`the key is ${secret}`)]);
    assert.equal(run.approvals.length, 0, "the session grant covers it");
    assert.doesNotMatch(run.results[0]!.result, new RegExp(secret));
    assert.match(run.results[0]!.result, /stdio echo: the key is \*\*\*REDACTED\*\*\*/);
    // A denied prompt: nothing runs.
    const other = await api.createSession({ channel: "chat" });
    run = await turn(other, [echo("no")], "deny");
    assert.deepEqual(
      [run.results[0]!.result, run.results[0]!.isError],
      ["Tool access denied: the user declined local/echo.", true],
    );
    // An exact ToolOverrides entry wins over the server default: slow is Auto, and the runner's
    // wall-clock limit (Session.ToolExecutionTimeoutSeconds) ends it.
    run = await turn(other, [{ name: "local__slow", arguments: { ms: 10_000 } }]);
    assert.equal(run.approvals.length, 0);
    assert.equal(run.results[0]!.isError, true);
    assert.match(run.results[0]!.result, /did not answer slow within 1 s/);
    run = await turn(other, [{ name: "local__slow", arguments: { ms: 10 } }]);
    assert.deepEqual([run.results[0]!.result, run.results[0]!.isError], ["stdio slept 10 ms", false]);
    // Not granted: neither offered nor callable.
    run = await turn(other, [{ name: "local__fail", arguments: {} }]);
    assert.match(run.results[0]!.result, /Unknown tool 'local(__|\/)fail'/);
    // Unattended (headless): a would-prompt call is denied, never asked.
    const headless = await api.createSession({ channel: "headless" });
    run = await turn(headless, [echo("unattended")]);
    assert.equal(run.approvals.length, 0);
    assert.match(run.results[0]!.result, /local\/echo needs approval, and nobody can answer a prompt/);
    assert.match(run.results[0]!.result, /ApprovalPolicy\.ToolOverrides\."local\/echo" to Auto/);
    // An "always anywhere" answer in a chat is stored, and then covers unattended runs too.
    run = await turn(await api.createSession({ channel: "chat" }), [echo("grant")], "approve_everywhere");
    assert.match(run.results[0]!.result, /\[approval: always anywhere\]$/);
    run = await turn(headless, [echo("now allowed")]);
    assert.deepEqual([run.results[0]!.result, run.results[0]!.isError], ["stdio echo: now allowed", false]);

    const cliEnv = { ...cleanEnv({ NETCLAW_HOME: home }), NETCLAW_DAEMON_ENDPOINT: daemon.url };
    const listed = await runCli(["mcp", "tools", "local"], cliEnv);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /local\/echo\s+Approval\s+server not allowed\s+server not allowed/);
    assert.match(listed.stdout, /local\/slow\s+Auto\s+server not allowed/);
    assert.match(listed.stdout, /local\/fail\s+not granted\s+server not allowed/);
  } finally {
    await daemon.stop();
    await model.upstream.close();
  }
});
