import assert from "node:assert/strict";
import { test } from "node:test";
import {
  hasSecretName,
  isSecretPath,
  MASKED,
  maskArguments,
  maskSecrets,
  plaintextSecretPaths,
  secretLeaves,
} from "./secret-leaves.ts";

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

test("secretLeaves: credential names, and every leaf from secrets.json but its standard MCP headers", () => {
  const tree = {
    Providers: { a: { Type: "openai", ApiKey: "k1" }, b: { Endpoint: "http://x" } },
    McpServers: {
      t: {
        Headers: { Authorization: "Bearer t", "X-Tenant": "tenant-1", Accept: "application/json" },
        EnvironmentVariables: { GITHUB_TOKEN: "ghp", LOG_LEVEL: "production" },
      },
    },
    List: ["s"],
  };
  const named = (leaves: { path: string[] }[]) => leaves.map((leaf) => leaf.path.join("."));
  assert.deepEqual(named(secretLeaves({ tree })), [
    "Providers.a.ApiKey",
    "McpServers.t.Headers.Authorization",
    "McpServers.t.EnvironmentVariables.GITHUB_TOKEN",
  ]);
  const inSecretsFile = (path: string[]) => path[1] === "b" || path[2] === "Headers";
  const fromFile = secretLeaves({
    tree,
    sourceOf: (path) => (inSecretsFile(path) ? { kind: "file", path: "/s.json" } : { kind: "default" }),
    isSecretsFile: (source) => source.kind === "file" && source.path === "/s.json",
  });
  assert.deepEqual(named(fromFile), [
    "Providers.a.ApiKey",
    "Providers.b.Endpoint",
    "McpServers.t.Headers.Authorization",
    "McpServers.t.Headers.X-Tenant",
    "McpServers.t.EnvironmentVariables.GITHUB_TOKEN",
  ]);
});

test("maskArguments hides a secret flag's value, secret-named assignments, URL credentials and key shapes", () => {
  const cases: [string[], string[]][] = [
    [
      ["--token", "abc", "--port", "5432"],
      ["--token", MASKED, "--port", "5432"],
    ],
    [
      ["--Api-Key=abc", "-p", "pw1"],
      ["--Api-Key=(hidden)", "-p", MASKED],
    ],
    [
      ["-e", "DB_PASSWORD=x y", "--name=db"],
      ["-e", "DB_PASSWORD=(hidden)", "--name=db"],
    ],
    [
      ["--client-secret", "--"],
      ["--client-secret", MASKED],
    ],
    [["mysql://u:p@127.0.0.1:3306/x"], ["mysql://***REDACTED***@127.0.0.1:3306/x"]],
    [["Authorization: Bearer abcdefgh12"], ["Authorization: (hidden)"]],
    [[`--x=sk-proj-${"a".repeat(20)}`], ["--x=***REDACTED***"]],
    [
      ["--tokenizer", "bpe", "--verbose"],
      ["--tokenizer", "bpe", "--verbose"],
    ],
  ];
  for (const [args, shown] of cases) assert.deepEqual(maskArguments(args), shown, args.join(" "));
});

test("maskSecrets masks McpServers.<name>.Arguments in any subtree that holds them", () => {
  const tree = { McpServers: { s: { Command: "x", Arguments: ["--auth-token", "t0ken-value"] } } };
  assert.deepEqual(maskSecrets(tree, []), {
    McpServers: { s: { Command: "x", Arguments: ["--auth-token", MASKED] } },
  });
  const numbered = { Arguments: { "0": "--auth-token", "1": "t0ken-value" } };
  assert.deepEqual(maskSecrets(numbered, ["McpServers", "s"]), {
    Arguments: { "0": "--auth-token", "1": MASKED },
  });
  assert.deepEqual(maskSecrets(tree.McpServers.s, ["McpServers", "s"]), {
    Command: "x",
    Arguments: ["--auth-token", MASKED],
  });
});
