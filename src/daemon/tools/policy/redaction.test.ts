import assert from "node:assert/strict";
import { test } from "node:test";
import { createValueRedactor, REDACTED, redact } from "./redaction.ts";

const R = REDACTED;

test("vendor keys, tokens and credentials are replaced", () => {
  const cases: [string, string][] = [
    ["key sk-or-v1-0123456789abcdef0123456789abcdef here", `key ${R} here`],
    ["OPENAI=sk-proj-abcdefghijklmnopqrstuv", `OPENAI=${R}`],
    ["anthropic sk-ant-api03-abcdefghijklmnopqrst", `anthropic ${R}`],
    ["slack xoxb-1234567890-abcdefghij and xoxp-99999999999-zz", `slack ${R} and ${R}`],
    ["gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", `gh ${R}`],
    ["aws AKIAIOSFODNN7EXAMPLE ok", `aws ${R} ok`],
    ["Authorization: Bearer abc.def-ghi_jkl", `Authorization: Bearer ${R}`],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", `Authorization: Basic ${R}`],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x", `jwt ${R}`],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIabc\nxyz\n-----END RSA PRIVATE KEY-----\nafter", `${R}\nafter`],
    ["Server=x;Password=hunter2;Pwd=abc;User=me", `Server=x;Password=${R};Pwd=${R};User=me`],
    [
      `{"ApiKey": "plain-value-1", "name": "keep", "clientSecret":"s3"}`,
      `{"ApiKey": "${R}", "name": "keep", "clientSecret":"${R}"}`,
    ],
    [
      "export DB_PASSWORD='swordfish'\nGITHUB_TOKEN=abc123\nPATH=/usr/bin",
      `export DB_PASSWORD='${R}'\nGITHUB_TOKEN=${R}\nPATH=/usr/bin`,
    ],
  ];
  for (const [input, expected] of cases) assert.equal(redact(input), expected, input);
});

test("ordinary text is left alone", () => {
  for (const text of [
    "nothing to see here, monkey keyboard",
    "Basic configuration of the token bucket",
    "max_tokens: 4096",
    "the password prompt appeared",
    "ls -la /home/user/keys",
  ]) {
    assert.equal(redact(text), text);
  }
});

test("known secret values are redacted verbatim too", () => {
  const redactKnown = createValueRedactor(["my-very-own-secret", "abc"]);
  assert.equal(redactKnown("x my-very-own-secret y abc"), `x ${R} y abc`);
});

test("long adversarial runs do not make the patterns backtrack for seconds", { timeout: 10_000 }, () => {
  for (const text of [
    `key ${"a.".repeat(50_000)}`,
    `token ${"a-".repeat(50_000)}`,
    `secret ${"A".repeat(100_000)}`,
    `{"${"a".repeat(50_000)}": "x"} token`,
    `eyJ${"a".repeat(100_000)}`,
    `-----BEGIN RSA PRIVATE KEY-----${"a\n".repeat(50_000)}`,
  ]) {
    assert.equal(typeof redact(text), "string");
  }
  assert.equal(
    redact(`NETCLAW_Providers__openrouter__ApiKey=sk-or-v1-${"x".repeat(40)}`),
    `NETCLAW_Providers__openrouter__ApiKey=${R}`,
  );
});
