import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { EventStreamError, type StreamItem, sessionEventStream } from "./sse-client.ts";
import { createSseParser, type SseMessage } from "./sse-parser.ts";

describe("createSseParser", () => {
  test("handles CRLF, CR and LF endings split anywhere, comments, multi-line data and sticky ids", () => {
    const messages: SseMessage[] = [];
    const parser = createSseParser((message) => messages.push(message));
    const text =
      ": heartbeat\r\nid: 7\r\nevent: text\r\ndata: a\r\ndata: b\r\n\r\ndata:c\rretry: 300\r\rid\n\ndata: d\n\n";
    for (const char of text) parser.push(char);
    assert.deepEqual(messages, [
      { event: "text", data: "a\nb", lastEventId: "7", retryMs: undefined },
      { event: "message", data: "c", lastEventId: "7", retryMs: 300 },
      { event: "message", data: "d", lastEventId: "", retryMs: undefined },
    ]);
    assert.equal(parser.lastEventId, "");
  });

  test("a message without data is not dispatched but its id counts; a trailing partial is held", () => {
    const messages: SseMessage[] = [];
    const parser = createSseParser((message) => messages.push(message));
    parser.push("id: 3\n\ndata: par");
    assert.equal(messages.length, 0);
    assert.equal(parser.lastEventId, "3");
    parser.push("tial\n\n");
    assert.deepEqual(messages, [{ event: "message", data: "partial", lastEventId: "3", retryMs: undefined }]);
  });
});

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function sse(id: number, text: string): string {
  const event = {
    id,
    sessionId: "s1",
    at: "2026-01-01T00:00:00Z",
    type: "text_delta",
    responseId: "r1",
    text,
  };
  return `id: ${id}\nevent: text_delta\ndata: ${JSON.stringify(event)}\n\n`;
}

async function collect(stream: AsyncGenerator<StreamItem>, until: (items: StreamItem[]) => boolean) {
  const items: StreamItem[] = [];
  for await (const item of stream) {
    items.push(item);
    if (until(items)) break;
  }
  return items;
}

const fast = [10, 20, 30];

describe("sessionEventStream", () => {
  test("reconnects after the server closes, sending Last-Event-ID, and yields each event once", async () => {
    const seen: (string | undefined)[] = [];
    const port = await listen((req, res) => {
      seen.push(req.headers["last-event-id"] as string | undefined);
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (seen.length === 1) {
        res.end(`: hi\n\n${sse(1, "a")}${sse(2, "b")}`);
      } else {
        // replays event 2 (a server may resend the boundary event): the client must drop it
        res.write(`${sse(2, "b")}${sse(3, "c")}`);
      }
    });
    const controller = new AbortController();
    const items = await collect(
      sessionEventStream({ url: `http://127.0.0.1:${port}/e`, signal: controller.signal, backoffMs: fast }),
      (all) => all.some((item) => item.kind === "event" && item.event.id === 3),
    );
    controller.abort();
    assert.deepEqual(seen, [undefined, "2"]);
    const texts = items.flatMap((item) =>
      item.kind === "event" && item.event.type === "text_delta" ? [item.event.text] : [],
    );
    assert.deepEqual(texts, ["a", "b", "c"]);
    assert.deepEqual(
      items.map((item) => item.kind),
      ["connected", "event", "event", "disconnected", "connected", "event"],
    );
  });

  test("starts from the given lastEventId and backs off while the daemon is down", async () => {
    const port = await listen((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const controller = new AbortController();
    const items = await collect(
      sessionEventStream({
        url: `http://127.0.0.1:${port}/e`,
        lastEventId: 41,
        signal: controller.signal,
        backoffMs: fast,
      }),
      (all) => all.length >= 4,
    );
    controller.abort();
    assert.deepEqual(
      items.map((item) => (item.kind === "disconnected" ? item.retryInMs : item.kind)),
      [10, 20, 30, 30],
    );
  });

  test("connection refused is retried until the server appears, then resumes", async () => {
    const probe = await listen(() => {});
    servers.pop()?.close();
    const controller = new AbortController();
    const stream = sessionEventStream({
      url: `http://127.0.0.1:${probe}/e`,
      lastEventId: 5,
      signal: controller.signal,
      backoffMs: [50],
    });
    const first = await stream.next();
    assert.equal(first.value?.kind, "disconnected");
    assert.equal((first.value as { reason: string }).reason, "connection refused");
    let header: string | undefined;
    await listen((req, res) => {
      header = req.headers["last-event-id"] as string;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse(6, "x"));
    }, probe);
    const rest = await collect(stream, (all) => all.some((item) => item.kind === "event"));
    controller.abort();
    assert.equal(header, "5");
    assert.ok(rest.some((item) => item.kind === "connected" && item.resumedAfter === 5));
  });

  test("401 is final and tells the user to pair again", async () => {
    const port = await listen((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    await assert.rejects(
      collect(
        sessionEventStream({
          url: `http://127.0.0.1:${port}/e`,
          signal: new AbortController().signal,
          backoffMs: fast,
        }),
        () => false,
      ),
      (error: unknown) =>
        error instanceof EventStreamError &&
        error.code === "unauthorized" &&
        /netclaw pair/.test(error.message),
    );
  });

  test("a malformed event is reported, not thrown, and the stream goes on", async () => {
    const port = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: {not json\n\ndata: {"type":"nope"}\n\n${sse(1, "ok")}`);
    });
    const controller = new AbortController();
    const items = await collect(
      sessionEventStream({ url: `http://127.0.0.1:${port}/e`, signal: controller.signal, backoffMs: fast }),
      (all) => all.some((item) => item.kind === "event"),
    );
    controller.abort();
    assert.deepEqual(
      items.map((item) => item.kind),
      ["connected", "invalid", "invalid", "event"],
    );
  });

  test("aborting ends the stream quietly, also while it waits to reconnect", async () => {
    const port = await listen((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const controller = new AbortController();
    const stream = sessionEventStream({
      url: `http://127.0.0.1:${port}/e`,
      signal: controller.signal,
      backoffMs: [60_000],
    });
    assert.equal((await stream.next()).value?.kind, "disconnected");
    const pending = stream.next();
    controller.abort();
    assert.equal((await pending).done, true);
  });
});

describe("the event stream of an expected home", () => {
  const HOME = "0123456789abcdef0123456789abcdef";

  test("another home's daemon on the port (409 daemon_mismatch) ends the stream with its words; no retry", async () => {
    let hits = 0;
    const port = await listen((_req, res) => {
      hits++;
      res.writeHead(409, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: "daemon_mismatch", message: "This netclawd (pid 9) serves another netclaw home" },
        }),
      );
    });
    const stream = sessionEventStream({
      url: `http://127.0.0.1:${port}/api/sessions/s1/events`,
      expectHome: HOME,
      signal: AbortSignal.timeout(60_000),
      backoffMs: [10],
    });
    await assert.rejects(
      collect(stream, () => false),
      (error: unknown) => {
        assert.ok(error instanceof EventStreamError);
        assert.equal(error.code, "daemon_mismatch");
        assert.match(error.message, /serves another netclaw home/);
        return true;
      },
    );
    assert.equal(hits, 1);
  });

  test("a 200 stream that does not echo the home id is refused; one that does is read", async () => {
    const port = await listen((req, res) => {
      const echo = req.url?.includes("echo")
        ? { "x-netclaw-home": String(req.headers["x-netclaw-home"]) }
        : {};
      res.writeHead(200, { "content-type": "text/event-stream", ...echo });
      res.end(sse(1, "hi"));
    });
    const open = (path: string) =>
      sessionEventStream({
        url: `http://127.0.0.1:${port}/${path}`,
        expectHome: HOME,
        signal: AbortSignal.timeout(60_000),
        backoffMs: [10],
        maxAttempts: 0,
      });
    await assert.rejects(
      collect(open("plain"), () => false),
      /did not confirm that it serves this home/,
    );
    const items = await collect(open("echo"), (all) => all.some((item) => item.kind === "event"));
    assert.ok(items.some((item) => item.kind === "event"));
  });
});
