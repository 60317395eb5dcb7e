import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NetclawError } from "../../protocol/errors.ts";
import type { ModelClient } from "../llm/model-client.ts";
import { assertFitsContext, estimateTokens } from "./prompt-budget.ts";

/** Only what assertFitsContext reads of a ModelClient. */
function model(window: number, configured = true): ModelClient {
  return { configured, contextWindow: async () => window } as unknown as ModelClient;
}

describe("prompt budget", () => {
  test("tokens are estimated from UTF-8 bytes", () => {
    assert.equal(estimateTokens(""), 0);
    assert.equal(estimateTokens("abcd"), 1);
    assert.equal(estimateTokens("abcde"), 2);
    assert.equal(estimateTokens("日本語の"), 3); // 12 bytes
  });

  test("a message that fits passes; one that cannot is 413 with the numbers", async () => {
    await assertFitsContext({
      text: "x".repeat(3000),
      model: model(1000),
      fixedPrompt: () => "y".repeat(800),
    });
    await assert.rejects(
      assertFitsContext({ text: "x".repeat(3600), model: model(1000), fixedPrompt: () => "y".repeat(800) }),
      (error: unknown) => {
        assert.ok(error instanceof NetclawError);
        assert.equal(error.status, 413);
        assert.equal(error.code, "context_window_exceeded");
        assert.match(error.message, /about 1100 tokens \(the message about 900, .* about 200\)/);
        assert.match(error.message, /the model's context window is 1000 tokens/);
        return true;
      },
    );
  });

  test("without a configured model nothing is refused (the no-model notice answers)", async () => {
    await assertFitsContext({ text: "x".repeat(100_000), model: model(10, false), fixedPrompt: () => "" });
  });
});
