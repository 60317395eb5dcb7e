import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withDefaultPath } from "./providers/types.ts";
import { backoffMs } from "./timers.ts";

describe("backoffMs", () => {
  it("doubles from 1 s with ±25% jitter", () => {
    assert.equal(backoffMs({ attempt: 1, random: () => 0.5 }), 1000);
    assert.equal(backoffMs({ attempt: 3, random: () => 0.5 }), 4000);
    assert.equal(backoffMs({ attempt: 2, random: () => 0 }), 1500);
    assert.equal(backoffMs({ attempt: 2, random: () => 0.999999 }), 2500);
  });

  it("never waits more than 30 s, jitter included", () => {
    for (const random of [() => 0, () => 0.5, () => 0.999]) {
      assert.ok(backoffMs({ attempt: 20, random }) <= 30_000);
    }
    assert.equal(backoffMs({ attempt: 20, random: () => 0 }), 22_500);
  });
});

describe("withDefaultPath", () => {
  it("adds the vendor's API path to a bare host and keeps an explicit path", () => {
    assert.equal(withDefaultPath("https://api.openai.com", "/v1"), "https://api.openai.com/v1");
    assert.equal(withDefaultPath("https://api.openai.com/", "/v1"), "https://api.openai.com/v1");
    assert.equal(
      withDefaultPath("https://proxy.example/openai/v1/", "/v1"),
      "https://proxy.example/openai/v1",
    );
    assert.equal(withDefaultPath("https://openrouter.ai", "/api/v1"), "https://openrouter.ai/api/v1");
  });
});
