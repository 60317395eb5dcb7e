import assert from "node:assert/strict";
import { test } from "node:test";
import { stripUrlCredentials } from "./url-credentials.ts";

test("the user:password part of every URL is replaced, the rest of the text is kept", () => {
  const cases: [string, string][] = [
    [
      "Request cannot be constructed from a URL that includes credentials: http://bob:sk-live-123@127.0.0.1:8080/v1/chat",
      "Request cannot be constructed from a URL that includes credentials: http://***REDACTED***@127.0.0.1:8080/v1/chat",
    ],
    ["https://KEY123@api.example.com", "https://***REDACTED***@api.example.com"],
    ["https://user:p@ss@host/x?y=1", "https://***REDACTED***@host/x?y=1"],
    [
      "postgres://u:pw@db:5432/app and redis://:pw2@cache",
      "postgres://***REDACTED***@db:5432/app and redis://***REDACTED***@cache",
    ],
    ['{"url":"HTTP://a:b@h/p","x":"c@d"}', '{"url":"HTTP://***REDACTED***@h/p","x":"c@d"}'],
    ["(see <http://u:k@h>)", "(see <http://***REDACTED***@h>)"],
    ["ws://u:k%40x@h#frag", "ws://***REDACTED***@h#frag"],
  ];
  for (const [input, expected] of cases) assert.equal(stripUrlCredentials(input), expected, input);
});

test("URLs without credentials, e-mail addresses and already-stripped text are unchanged", () => {
  for (const text of [
    "http://127.0.0.1:11434/api/chat failed",
    "mail me at ops@example.com, see https://example.com/a@b",
    "http://host/path?who=a@b",
    "https://***REDACTED***@host/v1",
    "",
  ]) {
    assert.equal(stripUrlCredentials(text), text);
  }
});
