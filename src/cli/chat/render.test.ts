import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SessionEvent } from "../../protocol/events.ts";
import {
  ANSI,
  createEventRenderer,
  createResponseTracker,
  PLAIN,
  type RenderSink,
  styleFor,
} from "./render.ts";

const base = { sessionId: "s", at: "2026-01-01T00:00:00Z" };

function recorder(): RenderSink & { out: string; err: string } {
  const sink = {
    out: "",
    err: "",
    text: (chunk: string) => {
      sink.out += chunk;
    },
    line: (text: string) => {
      sink.out += `${sink.out === "" || sink.out.endsWith("\n") ? "" : "\n"}${text}\n`;
    },
    error: (text: string) => {
      sink.err += `${text}\n`;
    },
  };
  return sink;
}

describe("response reconciliation", () => {
  test("the completing text prints only what the deltas did not", () => {
    const tracker = createResponseTracker();
    assert.equal(tracker.delta("r1", "Hello "), "Hello ");
    assert.equal(tracker.complete("r1", "Hello world"), "world");
    assert.equal(tracker.complete("r2", "never streamed"), "never streamed");
  });

  test("a completing text shorter than what is on screen prints nothing more", () => {
    const tracker = createResponseTracker();
    tracker.delta("r1", "Hello wor");
    assert.equal(tracker.complete("r1", "Hello"), "");
  });
});

describe("headless rendering", () => {
  test("deltas, a reconnect that lost some deltas, tool lines, usage and errors", () => {
    const sink = recorder();
    const render = createEventRenderer({ sink, mode: "headless", style: PLAIN });
    const events: SessionEvent[] = [
      { ...base, id: 1, type: "text_delta", responseId: "a", text: "Checking " },
      // the deltas "the disk" were lost in a reconnect; the completing event restores them
      { ...base, id: 4, type: "text", responseId: "a", text: "Checking the disk" },
      {
        ...base,
        id: 5,
        type: "tool_call",
        responseId: "a",
        callId: "c",
        toolName: "df",
        argumentsJson: '{"h":true}',
      },
      {
        ...base,
        id: 6,
        type: "tool_result",
        callId: "c",
        toolName: "df",
        result: "/ 42%\n/home 7%",
        isError: false,
      },
      { ...base, id: 7, type: "text", responseId: "b", text: "42% used." },
      {
        ...base,
        id: 8,
        type: "usage",
        inputTokens: 100,
        outputTokens: 20,
        totalTokens: 120,
        contextWindowTokens: 32768,
        usagePercent: 0.3,
        provider: "openrouter",
        modelId: "m",
      },
      { ...base, id: 9, type: "error", code: "x", errorMessage: "boom" },
    ];
    for (const event of events) render(event);
    assert.equal(
      sink.out,
      [
        "Checking the disk",
        '[tool:call] df {"h":true}',
        "[tool:result] df c / 42% ⏎ /home 7%",
        "42% used.",
      ].join("\n"),
    );
    // diagnostics stay off stdout, which is the answer alone
    assert.equal(
      sink.err,
      "[usage] input=100 output=20 total=120 context=0.3% model=openrouter/m\n[error] boom\n",
    );
  });
});

describe("control characters and colours", () => {
  const hostile: SessionEvent[] = [
    { ...base, id: 1, type: "text", responseId: "a", text: "red \x1b[31malert\x1b[0m done" },
    {
      ...base,
      id: 2,
      type: "tool_result",
      callId: "c",
      toolName: "cat",
      result: "\x1b]0;pwned\x07\x1b[2Jwiped",
      isError: false,
    },
  ];

  test("headless with stripControl prints no escape sequences at all", () => {
    const sink = recorder();
    const render = createEventRenderer({ sink, mode: "headless", style: PLAIN, stripControl: true });
    for (const event of hostile) render(event);
    assert.ok(!(sink.out + sink.err).includes("\x1b"), JSON.stringify(sink.out + sink.err));
    assert.match(sink.out, /^\[tool:result\] cat c \]0;pwned\[2Jwiped$/m);
  });

  test("headless into a pipe keeps the model's text byte for byte", () => {
    const sink = recorder();
    const render = createEventRenderer({ sink, mode: "headless", style: PLAIN, stripControl: false });
    render(hostile[0]!);
    assert.equal(sink.out, "red \x1b[31malert\x1b[0m done");
  });

  test("NO_COLOR: any non-empty value means plain style", () => {
    assert.equal(styleFor({ NO_COLOR: "1" }), PLAIN);
    assert.equal(styleFor({ NO_COLOR: "false" }), PLAIN);
    assert.equal(styleFor({ NO_COLOR: "" }), ANSI);
    assert.equal(styleFor({}), ANSI);
  });
});
