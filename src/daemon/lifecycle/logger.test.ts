import assert from "node:assert/strict";
import { test } from "node:test";
import { createSecretRedactor } from "../tools/policy/redaction.ts";
import { createLogger, createScrubbingDestination } from "./logger.ts";

test("log lines lose known secret values and URL credentials, in the message and in any field", () => {
  const lines: string[] = [];
  const secrets = createSecretRedactor(["nc-log-9z8y7x6w5v"]);
  const logger = createLogger({
    level: "Information",
    destination: createScrubbingDestination(
      { write: (line: string) => void lines.push(line) },
      secrets.known,
    ),
  });
  logger.error({ err: new Error("GET http://bob:pw-4u7i@127.0.0.1:9/v1 failed") }, "call failed");
  logger.warn({ detail: { nested: "the key nc-log-9z8y7x6w5v leaked" } }, "model said nc-log-9z8y7x6w5v");
  const text = lines.join("");
  assert.equal(lines.length, 2);
  assert.ok(!text.includes("pw-4u7i") && !text.includes("9z8y7x6w5v"), text);
  assert.match(text, /http:\/\/\*\*\*REDACTED\*\*\*@127\.0\.0\.1:9\/v1/);
  assert.match(text, /model said \*\*\*REDACTED\*\*\*/);
});

test("fields whose name config calls a credential are blanked at any depth; counts and other fields stay", () => {
  const lines: string[] = [];
  const logger = createLogger({
    level: "Information",
    destination: { write: (line: string) => void lines.push(line) },
  });
  logger.info(
    {
      ApiKey: "k-1a2b3c",
      request: { headers: { authorization: "Bearer zz-9y8x", cookie: "sid=cc-7w6v" } },
      nested: [{ client_secret: "s-5u4t" }],
      SESSION_COOKIE: "ck-3s2r",
      usage: { inputTokens: 120 },
      route: "deploys",
    },
    "call",
  );
  const line = lines.join("");
  for (const leak of ["1a2b3c", "zz-9y8x", "cc-7w6v", "s-5u4t", "ck-3s2r"])
    assert.ok(!line.includes(leak), line);
  assert.match(line, /"inputTokens":120/);
  assert.match(line, /"route":"deploys"/);
});
