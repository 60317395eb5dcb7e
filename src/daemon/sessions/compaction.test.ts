import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatMessage } from "../llm/model-client.ts";
import { planCompaction } from "./compaction.ts";
import { CLEARED_TOOL_RESULT, type HistoryEntry } from "./history.ts";
import { cleanTitle } from "./title.ts";

const entry = (eventId: number, message: ChatMessage): HistoryEntry => ({ eventId, message });
const exchange = (base: number, size: number): HistoryEntry[] => [
  entry(base, { role: "user", content: `question ${base}` }),
  entry(base + 1, {
    role: "assistant",
    content: "",
    toolCalls: [{ id: `c${base}`, name: "read", arguments: {} }],
  }),
  entry(base + 2, { role: "tool", toolCallId: `c${base}`, toolName: "read", content: "r".repeat(size) }),
  entry(base + 3, { role: "assistant", content: `answer ${base}` }),
];

test("under the threshold nothing is planned", () => {
  const entries = exchange(1, 100);
  assert.equal(
    planCompaction({
      entries,
      inputTokens: 1000,
      contextWindow: 4096,
      threshold: 0.75,
      keepRecentToolResults: 3,
    }),
    undefined,
  );
});

test("old tool results are cleared first, keeping the most recent ones, when that is enough", () => {
  const entries = [...exchange(1, 8000), ...exchange(10, 8000), ...exchange(20, 50), ...exchange(30, 50)];
  const plan = planCompaction({
    entries,
    inputTokens: 5000,
    contextWindow: 6000,
    threshold: 0.75,
    keepRecentToolResults: 2,
  });
  assert.ok(plan);
  assert.equal(plan.toolResultsCleared, 2);
  assert.equal(plan.toolResultsClearedBeforeEventId, 13);
  assert.equal(plan.keptFromEventId, undefined);
  assert.equal(plan.dropped.length, 0);
});

test("when clearing is not enough, the oldest messages are dropped at a user message, never between a call and its result", () => {
  const entries = [...exchange(1, 4000), ...exchange(10, 4000), ...exchange(20, 4000), ...exchange(30, 4000)];
  const plan = planCompaction({
    entries,
    inputTokens: 4000,
    contextWindow: 4096,
    threshold: 0.75,
    keepRecentToolResults: 4,
  });
  assert.ok(plan?.keptFromEventId !== undefined);
  const kept = entries.filter((e) => e.eventId >= plan.keptFromEventId!);
  assert.equal(kept[0]!.message.role, "user");
  assert.ok(plan.dropped.length > 0 && plan.dropped.length % 4 === 0);
  assert.equal(plan.messagesBefore, 16);
  assert.equal(plan.messagesAfter, kept.length + 1);
  assert.notEqual(CLEARED_TOOL_RESULT, "");
});

test("titles are cleaned to at most 8 words without quotes or trailing punctuation", () => {
  assert.equal(
    cleanTitle('"Fixing the nginx reload loop on the Pi today."'),
    "Fixing the nginx reload loop on the Pi",
  );
  assert.equal(cleanTitle("\n\nTitle: Disk usage check\nextra"), "Disk usage check");
  assert.equal(cleanTitle("   "), undefined);
});
