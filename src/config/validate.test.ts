import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "./loader.ts";
import { validateConfig } from "./validate.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-validate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** validateConfig on `file` as netclaw.json (no secrets, no environment). */
function problemOf(file: unknown) {
  const { config } = loadConfig({
    configFile: join(dir, "none.json"),
    secretsFile: join(dir, "none-secrets.json"),
    env: {},
    fileOverride: file as Record<string, unknown>,
  });
  return validateConfig(config, { configDir: dir });
}

test("cross-references and values the daemon refuses are problems, with the daemon's message", () => {
  const cases: [unknown, RegExp][] = [
    [{ Daemon: { ExposureMode: "nonsense" } }, /^Unknown ExposureMode value: 'nonsense'\./],
    [{ Daemon: { UpdateChannel: "nightly" } }, /^Unknown UpdateChannel value: 'nightly'\./],
    [{ Daemon: { Host: "0.0.0.0" } }, /^Invalid local topology: Daemon\.Host '0\.0\.0\.0'/],
    [{ Daemon: { TrustedProxies: ["10.0.0.0/99"] } }, /^Invalid trusted proxy entry '10\.0\.0\.0\/99'/],
    [
      { Daemon: { ExposureMode: "reverse-proxy" } },
      /^Invalid reverse-proxy topology: Daemon\.Host '127\.0\.0\.1' is loopback/,
    ],
    [
      { Models: { Main: { Provider: "nope", ModelId: "m" } } },
      /^Models\.Main\.Provider refers to provider 'nope'/,
    ],
    [
      { Models: { Definitions: { a: { Provider: "p", ModelId: "m" } }, Roles: { Main: "b" } } },
      /^Models\.Roles\.Main refers to 'b', which is not in Models\.Definitions\./,
    ],
    [{ Providers: { o: { Type: "openai" } } }, /^Provider 'o' \(openai\) has no API key/],
    [
      { Providers: { o: { Type: "anthropic", ApiKey: "" } } },
      /^Provider 'o' \(anthropic\) has an empty API key/,
    ],
    [
      { Providers: { o: { Type: "openrouter", ApiKey: " \t " } } },
      /^Provider 'o' \(openrouter\) has an empty API key/,
    ],
    [{ Providers: { o: { Type: "ollama", ApiKey: "  " } } }, /^Provider 'o' \(ollama\) has an empty API key/],
    [{ Providers: { o: { Endpoint: "http://x:1" } } }, /^Provider 'o' has no Type/],
  ];
  for (const [file, message] of cases) {
    const problem = problemOf(file);
    assert.ok(problem, JSON.stringify(file));
    assert.match(problem.message, message, JSON.stringify(file));
    assert.ok(problem.remediation.length > 0);
  }
});

test("a valid configuration, and a merely degraded one (no Main model), are not problems", () => {
  assert.equal(problemOf({}), undefined);
  assert.equal(
    problemOf({
      Providers: { local: { Type: "ollama" } },
      Models: { Main: { Provider: "LOCAL", ModelId: "qwen3" } },
      Daemon: { ExposureMode: "Reverse-Proxy", Host: "10.0.0.5", TrustedProxies: ["10.0.0.1"] },
    }),
    undefined,
  );
});

test("a malformed config/hard-deny-overrides.json is a problem naming it", () => {
  const file = join(dir, "hard-deny-overrides.json");
  writeFileSync(file, '{"patterns": ["("]}');
  try {
    assert.match(
      problemOf({})?.message ?? "",
      /hard-deny-overrides\.json has a pattern that is not a valid regular expression/,
    );
  } finally {
    rmSync(file);
  }
});
