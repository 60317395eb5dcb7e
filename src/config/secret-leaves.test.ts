import assert from "node:assert/strict";
import { test } from "node:test";
import { hasSecretName, isSecretPath, MASKED, maskSecrets, plaintextSecretPaths } from "./secret-leaves.ts";

test("maskSecrets hides every secret leaf of any subtree, known or secret-looking", () => {
  const config = {
    Providers: { o: { Type: "openai", ApiKey: "sk-1", VendorOptions: { ClientSecret: "cs", Region: "eu" } } },
    McpServers: {
      gh: { Command: "x", EnvironmentVariables: { LOG: "debug", GH: "ghp" }, Headers: { "X-Id": "h" } },
    },
    DeviceToken: "dt",
    Session: { FirstTokenTimeoutSeconds: 600 },
    Custom: { Password: "pw", list: [{ token: "t1" }], apikeys: ["a", "b"] },
    Empty: { ApiKey: "" },
  };
  const masked = maskSecrets(config, []) as typeof config;
  assert.equal(masked.Providers.o.ApiKey, MASKED);
  assert.equal(masked.Providers.o.Type, "openai");
  assert.equal(masked.Providers.o.VendorOptions.ClientSecret, MASKED);
  assert.equal(masked.Providers.o.VendorOptions.Region, "eu");
  assert.deepEqual(masked.McpServers.gh.EnvironmentVariables, { LOG: MASKED, GH: MASKED });
  assert.deepEqual(masked.McpServers.gh.Headers, { "X-Id": MASKED });
  assert.equal(masked.DeviceToken, MASKED);
  assert.equal(masked.Session.FirstTokenTimeoutSeconds, 600);
  assert.deepEqual(masked.Custom, { Password: MASKED, list: [{ token: MASKED }], apikeys: [MASKED, MASKED] });
  assert.equal(masked.Empty.ApiKey, "");
  assert.equal(config.Providers.o.ApiKey, "sk-1", "the input is not modified");
  // A subtree is masked by its full path: the same leaf asked for from below.
  assert.deepEqual(maskSecrets({ GH: "ghp" }, ["McpServers", "gh", "EnvironmentVariables"]), { GH: MASKED });
  assert.equal(maskSecrets("sk-1", ["Providers", "o", "apikey"]), MASKED);
});

test("hasSecretName looks at the leaf's own name; isSecretPath at the whole path", () => {
  assert.equal(hasSecretName(["Providers", "my-secret-llm", "Type"]), false);
  assert.equal(isSecretPath(["Providers", "my-secret-llm", "Type"]), true);
  assert.equal(hasSecretName(["Custom", "Tokens", "0"]), true);
  assert.equal(hasSecretName(["Session", "FirstTokenTimeoutSeconds"]), false);
});

test("plaintextSecretPaths lists credentials written in plain text, never their values", () => {
  const paths = plaintextSecretPaths({
    Providers: { o: { Type: "openai", ApiKey: "sk-plain" }, e: { ApiKey: "ENC:v1:abc" }, b: { ApiKey: " " } },
    DeviceToken: "dt",
    McpServers: { s: { EnvironmentVariables: { GITHUB_TOKEN: "ghp", LOG: "x" } } },
  });
  assert.deepEqual(paths, [
    "Providers.o.ApiKey",
    "DeviceToken",
    "McpServers.s.EnvironmentVariables.GITHUB_TOKEN",
  ]);
});
