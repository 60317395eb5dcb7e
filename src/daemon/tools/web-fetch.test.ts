import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { tempWorkspace, testContext } from "./fixtures/tool-context.ts";
import { runTool } from "./run-tool.ts";
import { blockDaemonApi, createWebFetchTool } from "./web-fetch.ts";

async function serve(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/page") {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(
        "<html><head><style>x{}</style><script>evil()</script></head><body><h1>Title</h1><p>Fish &amp; chips</p><ul><li>one</li></ul></body></html>",
      );
    } else if (path.startsWith("/hop/")) {
      const n = Number(path.slice(5));
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : "/page" });
      res.end();
    } else if (path === "/to-file") {
      res.writeHead(302, { location: "file:///etc/passwd" });
      res.end();
    } else if (path === "/big") {
      res.setHeader("content-type", "text/plain");
      res.end("x".repeat(300_000));
    } else if (path === "/binary") {
      res.setHeader("content-type", "application/octet-stream");
      res.end(Buffer.from([0, 1, 2, 3, 255]));
    } else {
      res.statusCode = 404;
      res.setHeader("content-type", "text/plain");
      res.end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const tool = createWebFetchTool({ maxBytes: 100_000, maxRedirects: 3 });

test("web_fetch converts HTML to text, saves it in the session directory and follows redirects", async (t) => {
  const base = await serve(t);
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  const result = await runTool({ tool, rawArgs: { Url: `${base}/hop/2` }, ctx });
  assert.equal(result.isError, false, result.content);
  assert.match(result.content, new RegExp(`^200 OK ${base}/page\n`));
  assert.match(result.content, /\n\nTitle\nFish & chips\n- one$/);
  assert.doesNotMatch(result.content, /evil/);
  const saved = join(sessionDir, "downloads", `${ctx.callId}.txt`);
  assert.equal(readFileSync(saved, "utf8"), "Title\nFish & chips\n- one");
  const raw = await runTool({
    tool,
    rawArgs: { Url: `${base}/page`, Format: "raw" },
    ctx: testContext({ sessionDir }),
  });
  assert.match(raw.content, /<h1>Title<\/h1>/);
});

test("web_fetch refuses other schemes, too many redirects and redirects off http", async (t) => {
  const base = await serve(t);
  const { sessionDir } = tempWorkspace(t);
  for (const Url of ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "not a url"]) {
    const refused = await runTool({ tool, rawArgs: { Url }, ctx: testContext({ sessionDir }) });
    assert.equal(refused.isError, true);
    assert.match(refused.content, /is not an http:\/\/ or https:\/\/ URL/);
  }
  const loop = await runTool({ tool, rawArgs: { Url: `${base}/hop/5` }, ctx: testContext({ sessionDir }) });
  assert.match(loop.content, /too many redirects/);
  const toFile = await runTool({
    tool,
    rawArgs: { Url: `${base}/to-file` },
    ctx: testContext({ sessionDir }),
  });
  assert.match(toFile.content, /non-http\(s\) location/);
});

test("web_fetch caps the size, describes binaries and reports HTTP errors", async (t) => {
  const base = await serve(t);
  const { sessionDir } = tempWorkspace(t);
  const big = await runTool({ tool, rawArgs: { Url: `${base}/big` }, ctx: testContext({ sessionDir }) });
  assert.match(big.content, /100000 bytes \(cut at the 100000-byte limit\)/);
  const binary = await runTool({
    tool,
    rawArgs: { Url: `${base}/binary` },
    ctx: testContext({ sessionDir }),
  });
  assert.match(binary.content, /Binary content; not previewed\.$/);
  const missing = await runTool({ tool, rawArgs: { Url: `${base}/nope` }, ctx: testContext({ sessionDir }) });
  assert.equal(missing.isError, true);
  assert.match(missing.content, /^404 Not Found/);
});

test("web_fetch never reaches the daemon's own API, not even through a redirect", async (t) => {
  const base = await serve(t);
  const port = Number(new URL(base).port);
  const guarded = createWebFetchTool({ blockUrl: blockDaemonApi({ host: "127.0.0.1", port }) });
  const { sessionDir } = tempWorkspace(t);
  for (const Url of [`${base}/page`, `http://localhost:${port}/page`, `http://127.0.0.2:${port}/page`]) {
    const direct = await runTool({ tool: guarded, rawArgs: { Url }, ctx: testContext({ sessionDir }) });
    assert.equal(direct.isError, true);
    assert.match(direct.content, /may not be fetched: it is netclaw's own API/);
  }
  const other = await serve(t);
  const viaRedirect = createWebFetchTool({
    blockUrl: blockDaemonApi({ host: "127.0.0.1", port: Number(new URL(other).port) }),
  });
  const hop = await runTool({
    tool: viaRedirect,
    rawArgs: { Url: `${base}/hop/0` },
    ctx: testContext({ sessionDir }),
  });
  assert.equal(hop.isError, false, "a different port is fine");
});

test("web_fetch checks the context's URL block at every redirect hop", async (t) => {
  const base = await serve(t);
  const { sessionDir } = tempWorkspace(t);
  const blockUrl = (url: URL) => (url.pathname === "/page" ? "an internal address" : undefined);
  const result = await runTool({
    tool,
    rawArgs: { Url: `${base}/hop/1` },
    ctx: testContext({ sessionDir, blockUrl }),
  });
  assert.equal(result.isError, true);
  assert.match(result.content, /\/page may not be fetched: an internal address/);
});
