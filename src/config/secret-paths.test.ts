import assert from "node:assert/strict";
import { test } from "node:test";
import { isSecretKeyPath, secretLeaves } from "./secret-paths.ts";

test("secret key paths: credential names anywhere, authentication headers of MCP servers", () => {
  for (const path of [
    ["Providers", "openrouter", "ApiKey"],
    ["DeviceToken"],
    ["Channels", "slack", "BotToken"],
    ["McpServers", "gh", "EnvironmentVariables", "GITHUB_PERSONAL_ACCESS_TOKEN"],
    ["McpServers", "db", "EnvironmentVariables", "PGPASSWORD"],
    ["McpServers", "t", "Headers", "Authorization"],
    ["McpServers", "t", "Headers", "X-Api-Key"],
    ["McpServers", "t", "Headers", "Cookie"],
    ["McpServers", "t", "Headers", "X-Hub-Signature"],
  ]) {
    assert.ok(isSecretKeyPath(path), path.join("."));
  }
  for (const path of [
    ["Providers", "openrouter", "Endpoint"],
    ["Daemon", "Port"],
    ["McpServers", "t", "Headers", "Accept"],
    ["McpServers", "t", "Headers", "X-Tenant"],
    ["McpServers", "t", "EnvironmentVariables", "LOG_LEVEL"],
    ["Session", "FirstTokenTimeoutSeconds"],
  ]) {
    assert.ok(!isSecretKeyPath(path), path.join("."));
  }
});

test("secretLeaves: by name, or every leaf from secrets.json when the source says so", () => {
  const tree = {
    Providers: { a: { Type: "openai", ApiKey: "k1" }, b: { Endpoint: "http://x" } },
    List: ["s"],
  };
  assert.deepEqual(secretLeaves({ tree }), [{ path: ["Providers", "a", "ApiKey"], value: "k1" }]);
  const fromFile = secretLeaves({
    tree,
    sourceOf: (path) => (path[1] === "b" ? { kind: "file", path: "/s.json" } : { kind: "default" }),
    isSecretsFile: (source) => source.kind === "file" && source.path === "/s.json",
  });
  assert.deepEqual(
    fromFile.map((leaf) => leaf.path.join(".")),
    ["Providers.a.ApiKey", "Providers.b.Endpoint"],
  );
  // `mcp add` stores every header in secrets.json: a custom one is a secret, a standard one is not.
  const headers = {
    McpServers: { t: { Headers: { "X-Tenant": "tenant-123456", Accept: "application/json" } } },
  };
  const stored = secretLeaves({
    tree: headers,
    sourceOf: () => ({ kind: "file", path: "/s.json" }),
    isSecretsFile: (source) => source.kind === "file",
  });
  assert.deepEqual(
    stored.map((leaf) => leaf.path.at(-1)),
    ["X-Tenant"],
  );
});
