import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "./errors.ts";
import { loadHardDenyOverrides } from "./hard-deny-overrides.ts";

test("hard-deny overrides: missing means none; both shapes load; anything malformed stops the start", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "netclaw-hard-deny-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "hard-deny-overrides.json");
  assert.deepEqual(loadHardDenyOverrides(path), []);
  writeFileSync(path, '["\\\\bshutdown\\\\b"]');
  assert.deepEqual(loadHardDenyOverrides(path), ["\\bshutdown\\b"]);
  writeFileSync(path, '{"patterns": ["reboot", "halt"]}');
  assert.deepEqual(loadHardDenyOverrides(path), ["reboot", "halt"]);
  for (const [content, message] of [
    ["{oops", /is not valid JSON/],
    ['{"patterns": "reboot"}', /must be a list of strings/],
    ["[1, 2]", /must be a list of strings/],
    ['["(unclosed"]', /not a valid regular expression: '\(unclosed'/],
  ] as const) {
    writeFileSync(path, content);
    assert.throws(
      () => loadHardDenyOverrides(path),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === "hard_deny_overrides_invalid" &&
        message.test(error.message),
      content,
    );
  }
});
