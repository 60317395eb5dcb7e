import assert from "node:assert/strict";
import { emitKeypressEvents } from "node:readline";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { type ComposerAction, createComposer, type Key } from "./composer.ts";

/** Feeds raw terminal bytes through node:readline's real keypress decoder into a composer. */
function type(bytes: string[]) {
  const composer = createComposer();
  const input = new PassThrough();
  emitKeypressEvents(input);
  const actions: ComposerAction[] = [];
  input.on("keypress", (chunk: string | undefined, key: Key) => {
    const action = composer.key(chunk, key);
    if (action !== "none" && action !== "changed") actions.push(action);
    if (action === "submit") actions.push(composer.take() as ComposerAction);
  });
  for (const chunk of bytes) input.write(chunk);
  return { composer, actions };
}

describe("composer", () => {
  test("Enter submits the typed line; an empty line is not submitted", () => {
    const { actions } = type(["\r", "hello", "\r"]);
    assert.deepEqual(actions, ["submit", "hello"]);
  });

  test("a trailing backslash, Alt+Enter and Ctrl+J continue on a new line", () => {
    const { actions } = type(["one\\", "\r", "two", "\x1b\r", "three", "\n", "four", "\r"]);
    assert.deepEqual(actions, ["submit", "one\ntwo\nthree\nfour"]);
  });

  test("a bracketed paste keeps its newlines and does not submit", () => {
    const { composer, actions } = type(["\x1b[200~a\rb\r\nc\x1b[201~"]);
    assert.deepEqual(actions, []);
    assert.equal(composer.text, "a\nb\nc");
  });

  test("editing keys: backspace, left/right, home/end, Ctrl+U, Ctrl+W", () => {
    const { composer } = type(["abc", "\x7f", "\x1b[D", "X", "\x1b[H", "<", "\x1b[F", ">"]);
    assert.equal(composer.text, "<aXb>");
    const words = type(["git commit -m", "\x17"]).composer;
    assert.equal(words.text, "git commit ");
    const killed = type(["first\\", "\r", "second", "\x15"]).composer;
    assert.equal(killed.text, "first\n");
  });

  test("Ctrl+C interrupts; Ctrl+D on an empty line is end-of-input, otherwise deletes forward", () => {
    assert.deepEqual(type(["ab", "\x03"]).actions, ["interrupt"]);
    assert.deepEqual(type(["\x04"]).actions, ["eof"]);
    const { composer, actions } = type(["ab", "\x1b[D", "\x04"]);
    assert.deepEqual(actions, []);
    assert.equal(composer.text, "a");
  });

  test("control characters are not inserted; Up recalls the previous message", () => {
    const { composer } = type(["\x07x", "\r", "\x1b[A"]);
    assert.equal(composer.text, "x");
  });
});
