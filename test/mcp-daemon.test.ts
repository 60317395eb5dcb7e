import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SessionEvent } from "../src/protocol/events.ts";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { startHttpMcpServer } from "./fixtures/mcp/http-server.ts";
import { startSseMcpServer } from "./fixtures/mcp/sse-server.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { runCli, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

const STDIO_SERVER = join(import.meta.dirname, "fixtures", "mcp", "stdio-server.ts");

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
    assert.equal(byName.local.tools, 3);
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
    assert.ok(!publicRequest.rawBody.includes('"local__echo"'), "local is not allow-listed for Public");

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
