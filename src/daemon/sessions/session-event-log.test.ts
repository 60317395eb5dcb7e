import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { SessionEvent } from "../../protocol/events.ts";
import { createSessionEventRepository } from "../store/session-event-repository.ts";
import { createSessionRepository } from "../store/session-repository.ts";
import { openStore } from "../store/sqlite.ts";
import { createSecretRedactor } from "../tools/policy/redaction.ts";
import { createEventRedactor } from "./event-redactor.ts";
import { createSessionEventLog } from "./session-event-log.ts";

async function setup(t: import("node:test").TestContext) {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-log-"));
  const store = await openStore({ path: join(dir, "netclaw.db"), appVersion: "test" });
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const sessions = createSessionRepository(store.db);
  const events = createSessionEventRepository(store.db);
  sessions.create({ id: "s1", name: null, channel: "chat", at: new Date().toISOString() });
  const open = (bufferSize: number) =>
    createSessionEventLog({
      sessionId: "s1",
      sessions,
      events,
      transaction: (fn) => store.transaction(fn),
      now: () => new Date(),
      reservedHighWater: sessions.get("s1")!.eventIdReserved,
      bufferSize,
      idBlockSize: 4,
      redactor: createEventRedactor(() => createSecretRedactor([])),
    });
  return { open, events };
}

function drain(stream: AsyncIterable<SessionEvent>, count: number): Promise<SessionEvent[]> {
  const iterator = stream[Symbol.asyncIterator]();
  return (async () => {
    const out: SessionEvent[] = [];
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done) break;
      out.push(next.value);
    }
    return out;
  })();
}

test(
  "resuming after any id replays exactly the later events, from the buffer or the store",
  { timeout: 10_000 },
  async (t) => {
    const { open } = await setup(t);
    const log = open(3);
    const appended: SessionEvent[] = [];
    for (let i = 0; i < 10; i++) {
      appended.push(log.stream({ type: "text_delta", responseId: "r", text: `d${i}` })!);
      appended.push(log.append({ type: "text", responseId: "r", text: `t${i}` }));
    }
    const ids = appended.map((e) => e.id);
    assert.deepEqual(
      ids,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const after of [0, 1, 7, 12, 15, 19, 20]) {
      const stream = log.subscribe(after);
      // The buffer (3, trimmed when it reaches 6) now holds ids 16-20. Deltas are live-only: an
      // older position gets the stored events up to 15, then the whole buffer.
      const expected = appended.filter((e) => e.id > after && (e.type !== "text_delta" || e.id > 15));
      const got = await drain(stream, expected.length);
      assert.deepEqual(
        got.map((e) => e.id),
        expected.map((e) => e.id),
        `after ${after}`,
      );
    }
    const live = log.subscribe();
    const next = log.append({ type: "text", responseId: "r2", text: "live" });
    assert.deepEqual(await drain(live, 1), [next]);
  },
);

test(
  "a reloaded log starts above every id reserved before, so lost live ids are never reused",
  { timeout: 10_000 },
  async (t) => {
    const { open } = await setup(t);
    const first = open(8);
    for (let i = 0; i < 6; i++) assert.ok(first.stream({ type: "text_delta", responseId: "r", text: "y " }));
    assert.equal(first.lastId, 6);
    const second = open(8);
    const event = second.append({ type: "session_title", title: "t" });
    assert.ok(event.id > 6, `got ${event.id}`);
    // And the stored-only replay from 0 finds the title.
    const replay = await drain(second.subscribe(0), 1);
    assert.deepEqual(replay, [event]);
  },
);
