import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionEvent } from "../../../protocol/events.ts";
import { turnOutcome } from "./launcher.ts";

const base = { sessionId: "s", at: "2026-01-01T00:00:00.000Z" };
let id = 0;
const event = (fields: Record<string, unknown>) =>
  ({ ...base, id: ++id, ...fields }) as unknown as SessionEvent;

test("the outcome is the status of the turn that took the run's message, with its last error", () => {
  const events = [
    event({ type: "user_message", messageId: "m1", text: "x" }),
    event({ type: "turn_started", turnNumber: 1, messageIds: ["m0"] }),
    event({ type: "turn_completed", turnNumber: 1, status: "completed" }),
    event({ type: "turn_started", turnNumber: 2, messageIds: ["m1"] }),
    event({ type: "error", code: "model_error", errorMessage: "the model said no" }),
    event({ type: "turn_completed", turnNumber: 2, status: "failed" }),
  ];
  assert.deepEqual(turnOutcome({ events, messageId: "m1" }), { ok: false, error: "the model said no" });
  assert.deepEqual(turnOutcome({ events, messageId: "m0" }), { ok: true });
  assert.deepEqual(turnOutcome({ events: events.slice(0, 4), messageId: "m1" }), {
    ok: false,
    error: "the run's turn did not finish",
  });
  const cancelled = [
    event({ type: "turn_started", turnNumber: 3, messageIds: ["m3"] }),
    event({ type: "turn_completed", turnNumber: 3, status: "cancelled" }),
  ];
  assert.deepEqual(turnOutcome({ events: cancelled, messageId: "m3" }), {
    ok: false,
    error: "the turn ended cancelled",
  });
});
