import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, test } from "node:test";
import { cleanEnv, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const TOKEN = "tok-ZZZZ9999-never-shown";

// A server that refuses the MCP handshake and quotes the credential it was sent: the client's
// error carries the response body, and every view of the server (its API, status) must show it
// redacted. A guard: the daemon redacts it where the error is recorded.
test("an MCP server's error that quotes its credential is redacted in GET /api/mcp/servers and status", async (t) => {
  const upstream = createServer((request, response) => {
    response.writeHead(401, { "content-type": "text/plain" });
    response.end(`bad key ${String(request.headers["x-api-key"])}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  t.after(() => upstream.close());
  const address = upstream.address();
  const port = typeof address === "object" && address !== null ? address.port : assert.fail("no port");

  const daemon = await startDaemon({
    env: cleanEnv({
      NETCLAW_HOME: homes.home(),
      NETCLAW_McpServers__quoter__Transport: "http",
      NETCLAW_McpServers__quoter__Url: `http://127.0.0.1:${port}/mcp`,
      "NETCLAW_McpServers__quoter__Headers__X-Api-Key": TOKEN,
    }),
  });
  t.after(() => daemon.stop());
  for (const path of ["/api/mcp/servers", "/api/health/status"]) {
    const body = await (await fetch(`${daemon.url}${path}`)).text();
    assert.match(body, /quoter/, `${path} names the server`);
    assert.match(body, /REDACTED|bad key/, `${path} shows the server's error`);
    assert.ok(!body.includes(TOKEN), `${path} leaked the credential:\n${body}`);
  }
});
