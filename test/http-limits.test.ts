import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { cleanEnv, type RunningDaemon, startDaemon, tempHomes } from "./helpers/processes.ts";
import { raw } from "./helpers/remote.ts";

// Slow or silent clients and connection floods against a real daemon. Timeouts are configured
// short so the tests finish quickly, but nothing here asserts how long anything took: a
// connection must *eventually* be closed (within generous deadlines), others must keep working.

const homes = tempHomes();
after(() => homes.cleanup());

type Watched = { socket: Socket; received: () => string; closed: Promise<void> };

/** A raw connection that records what it receives and when it is closed. */
function open(port: number, send?: string): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      received += chunk;
    });
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.on("error", () => {}); // a reset is one way of being closed
    socket.once("connect", () => {
      if (send !== undefined) socket.write(send);
      resolve({ socket, received: () => received, closed });
    });
    socket.once("error", reject);
  });
}

async function closedWithin(watched: Watched, ms: number): Promise<boolean> {
  const timer = sleep(ms).then(() => false);
  return Promise.race([watched.closed.then(() => true), timer]);
}

/** Nothing at all, or node's 408 answer: both mean the daemon gave up on the client. */
const CLOSED_OR_408 = /^(HTTP\/1\.1 408 [\s\S]*)?$/;

const env = (home: string, extra: Record<string, string>) => cleanEnv({ NETCLAW_HOME: home, ...extra });

describe("header and request timeouts", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon({
      env: env(homes.home(), {
        NETCLAW_Daemon__HeadersTimeoutSeconds: "1",
        NETCLAW_Daemon__RequestTimeoutSeconds: "2",
      }),
    });
  });
  after(async () => {
    await daemon.stop();
  });

  test("a client that sends half a header line is disconnected", async () => {
    const slow = await open(
      daemon.port,
      `GET /api/health/ready HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nX-Sl`,
    );
    assert.ok(await closedWithin(slow, 30_000), "still open after 30 s");
    // node answers 408 when its header check fires first; the idle cut closes without a word.
    assert.match(slow.received(), CLOSED_OR_408);
  });

  test("a client that connects and sends nothing is disconnected", async () => {
    const silent = await open(daemon.port);
    assert.ok(await closedWithin(silent, 30_000), "still open after 30 s");
    assert.match(silent.received(), CLOSED_OR_408);
  });

  test("a body that never finishes is cut by the request timeout", async () => {
    const dribble = await open(
      daemon.port,
      `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
    );
    const keepSending = setInterval(() => dribble.socket.write(" "), 300);
    try {
      assert.ok(await closedWithin(dribble, 30_000), "still open after 30 s");
    } finally {
      clearInterval(keepSending);
    }
    assert.match(dribble.received(), /^HTTP\/1\.1 408 /);
  });

  test("an event stream outlives the request timeout, and ordinary requests still work", async () => {
    const created = await raw({ url: daemon.url, path: "/api/sessions", method: "POST", body: "{}" });
    assert.equal(created.status, 201, created.body);
    const id = (JSON.parse(created.body) as { session: { sessionId: string } }).session.sessionId;
    const stream = await open(
      daemon.port,
      `GET /api/sessions/${id}/events HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    // Three request timeouts plus node's check interval: a cut would have happened by now.
    assert.equal(await closedWithin(stream, 8_000), false, "the event stream was cut");
    assert.match(stream.received(), /^HTTP\/1\.1 200 /);
    assert.equal((await raw({ url: daemon.url, path: "/api/health/ready" })).status, 200);
    stream.socket.destroy();
  });
});

describe("connection and event-stream caps", () => {
  let daemon: RunningDaemon;
  before(async () => {
    daemon = await startDaemon({
      env: env(homes.home(), {
        // Long enough that the held connections below are not timed out during the test.
        NETCLAW_Daemon__HeadersTimeoutSeconds: "120",
        NETCLAW_Daemon__RequestTimeoutSeconds: "120",
        NETCLAW_Daemon__MaxConnections: "4",
        NETCLAW_Daemon__MaxEventStreams: "1",
      }),
    });
  });
  after(async () => {
    await daemon.stop();
  });

  test("connections past MaxConnections are closed on accept; open ones keep working", async () => {
    const partial = `GET /api/health/ready HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\n`;
    const held = await Promise.all([1, 2, 3, 4].map(() => open(daemon.port, partial)));
    // Accepting is asynchronous: wait until the daemon has counted all four (a fifth is refused).
    let extra: Watched | undefined;
    for (let i = 0; i < 100; i++) {
      extra = await open(daemon.port, `${partial}Connection: close\r\n\r\n`);
      if (await closedWithin(extra, 2_000)) break;
      extra.socket.destroy();
      extra = undefined;
      await sleep(100);
    }
    assert.ok(extra, "a connection past the cap was never refused");
    assert.equal(extra.received(), "", "refused without an answer");

    held[0]!.socket.write("Connection: close\r\n\r\n");
    await held[0]!.closed;
    assert.match(held[0]!.received(), /^HTTP\/1\.1 200 /, "an open connection still completes");

    // Its slot is free again: a new request gets through (accepting may lag a moment).
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await raw({ url: daemon.url, path: "/api/health/ready" }).then(
        (res) => res.status,
        () => 0,
      );
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200);
    for (const watched of held) watched.socket.destroy();
  });

  test("event streams past MaxEventStreams get 503 with Retry-After; closing one frees its slot", async () => {
    const created = await raw({ url: daemon.url, path: "/api/sessions", method: "POST", body: "{}" });
    const id = (JSON.parse(created.body) as { session: { sessionId: string } }).session.sessionId;
    const streamRequest = `GET /api/sessions/${id}/events HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\n\r\n`;
    const first = await open(daemon.port, streamRequest);
    for (let i = 0; i < 100 && !first.received().startsWith("HTTP/1.1 200"); i++) await sleep(100);
    assert.match(first.received(), /^HTTP\/1\.1 200 /);

    // A raw socket, not a request that waits for the end: were the cap missing, this would be
    // an endless stream, and the test must fail rather than hang.
    const second = await open(daemon.port, streamRequest);
    const answered = () =>
      /"code":"[a-z_]+"|^HTTP\/1\.1 (?!503)\d{3} [\s\S]*\r\n\r\n/.test(second.received());
    for (let i = 0; i < 200 && !answered(); i++) await sleep(50);
    assert.match(second.received(), /^HTTP\/1\.1 503 /);
    assert.match(second.received(), /\r\nretry-after: 5\r\n/i);
    assert.match(second.received(), /"code":"too_many_streams"/);
    second.socket.destroy();

    first.socket.destroy();
    let third: Watched | undefined;
    for (let i = 0; i < 100; i++) {
      third = await open(daemon.port, streamRequest);
      for (let j = 0; j < 20 && third.received() === ""; j++) await sleep(50);
      if (third.received().startsWith("HTTP/1.1 200")) break;
      third.socket.destroy();
      await sleep(100);
    }
    assert.match(third!.received(), /^HTTP\/1\.1 200 /, "the freed slot was never reused");
    third!.socket.destroy();
  });
});
