import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import Fastify from "fastify";
import { createEventStream } from "../sessions/event-stream.ts";
import { formatSse, streamSse } from "./sse.ts";

test("formatSse frames id, event and one data line per line; CR/LF in names is refused", () => {
  assert.equal(formatSse({ id: 7, event: "text", data: '{"a":1}' }), 'id: 7\nevent: text\ndata: {"a":1}\n\n');
  assert.equal(formatSse({ data: "one\ntwo" }), "data: one\ndata: two\n\n");
  assert.throws(() => formatSse({ event: "text\ndata: forged", data: "x" }), /must not contain CR or LF/);
  assert.throws(() => formatSse({ id: "1\r2", data: "x" }), /must not contain CR or LF/);
});

test("streamSse sends proxy-safe headers, heartbeats, events, and stops the source when the client leaves", async (t) => {
  const app = Fastify();
  const source = createEventStream<{ n: number }>();
  let sourceClosed = false;
  const closed = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (source.closed) {
        sourceClosed = true;
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  app.get("/events", async (_request, reply) => {
    await streamSse({
      reply,
      source,
      toMessage: (item) => ({ id: item.n, event: "tick", data: JSON.stringify(item) }),
      heartbeatMs: 30,
    });
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => app.close());
  const port = (app.server.address() as { port: number }).port;

  const received = await new Promise<{ headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/events" }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          if (body.includes(": heartbeat") && body.includes("id: 2")) {
            req.destroy();
            resolve({ headers: res.headers, body });
          }
        });
        source.push({ n: 1 });
        source.push({ n: 2 });
      });
      req.on("error", (error) => {
        if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
      });
      req.end();
    },
  );
  assert.equal(received.headers["content-type"], "text/event-stream; charset=utf-8");
  assert.equal(received.headers["x-accel-buffering"], "no");
  assert.equal(received.headers["cache-control"], "no-cache, no-transform");
  assert.ok(received.body.startsWith("retry: 1000\n\n"));
  assert.ok(received.body.includes('id: 1\nevent: tick\ndata: {"n":1}\n\n'));
  await closed;
  assert.equal(sourceClosed, true, "the client's disconnect closed the source iterator");
});
