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
