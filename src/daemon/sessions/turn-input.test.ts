import assert from "node:assert/strict";
import { test } from "node:test";
import { joinTurnText, turnBatchSize } from "./turn-input.ts";

const budget = { window: 1000, system: 200 }; // 800 tokens = 3200 bytes for the input

test("queued messages are taken together only as far as they fit the window", () => {
  const k = (n: number) => "x".repeat(n * 4); // n tokens
  assert.equal(turnBatchSize({ texts: [k(300), k(300), k(300)], budget }), 2);
  assert.equal(turnBatchSize({ texts: [k(100), k(100), k(100)], budget }), 3);
  assert.equal(turnBatchSize({ texts: [k(700), k(200)], budget }), 1);
  // One that cannot fit alone still makes a turn (which refuses it); the next waits.
  assert.equal(turnBatchSize({ texts: [k(5000), k(10)], budget }), 1);
  assert.equal(turnBatchSize({ texts: [], budget }), 0);
  assert.equal(turnBatchSize({ texts: [k(5000), k(5000)], budget: undefined }), 2);
});

test("the joined input is what the model gets: the non-empty messages, in order", () => {
  assert.equal(joinTurnText(["a", "", "b"]), "a\n\nb");
});
