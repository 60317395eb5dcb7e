import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../../../config/schema.ts";
import { isSecretName } from "../../../config/secret-leaves.ts";
import {
  configSecretValues,
  createSecretRedactor,
  createValueRedactor,
  REDACTED,
  redact,
} from "./redaction.ts";

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

test("a named value is hidden exactly when config's isSecretName calls its name a credential", () => {
  const names = [
    "SESSION_COOKIE",
    "Authorization",
    "X-Api-Key",
    "DB_PWD",
    "smtp.passwd",
    "OAuthRefreshToken",
    "client_credentials",
    "Providers__openrouter__ApiKey",
    "token_url",
    "username",
    "PATH",
    "keyboard_layout",
  ];
  for (const name of names) {
    const secret = isSecretName(name);
    for (const text of [`${name}=abc-def-123`, `${name}: abc-def-123`, `{"${name}": "abc def 123"}`]) {
      const out = redact(text);
      assert.equal(out.includes("abc"), !secret, `${text} -> ${out}`);
    }
  }
  assert.ok(!isSecretName("token_url") && isSecretName("SESSION_COOKIE"), "the list covers both kinds");
});

test("a credential nested in a plain name's value, or after an auth scheme, is still hidden", () => {
  assert.equal(redact("x=token=abcdef"), `x=token=${R}`);
  assert.equal(redact(`export DB_PASSWORD="two words" X='a b'`), `export DB_PASSWORD="${R}" X='a b'`);
  assert.equal(redact(`{"note": "cookie=abcdef"}`), `{"note": "cookie=${R}"}`);
  assert.equal(redact("Authorization: Bearer short"), `Authorization: Bearer ${R}`);
  assert.equal(redact("Cookie: sid=abc123; theme=dark"), `Cookie: ${R}; theme=dark`);
  assert.equal(redact(`${"a.".repeat(50_000)}=x token=abcdef`).endsWith(`token=${R}`), true);
});

test("tokens on a stdio MCP server's command line are known secrets, redacted wherever they appear", () => {
  const config = configSchema.parse({
    McpServers: {
      db: {
        Transport: "stdio",
        Command: "x",
        Arguments: ["--token", "tok-value-1", "--password=pw-value-2"],
      },
    },
  });
  const values = configSecretValues({ config });
  assert.ok(values.includes("tok-value-1") && values.includes("pw-value-2"), String(values));
  const redactor = createSecretRedactor(values);
  assert.equal(redactor.text("server said: bad tok-value-1 / pw-value-2"), `server said: bad ${R} / ${R}`);
});
