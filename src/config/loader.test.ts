import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError } from "./errors.ts";
import { loadConfig } from "./loader.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-loader-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Writes the two config files (when given) into a fresh directory and loads with `env`. */
function load(options: { file?: unknown; secrets?: unknown; raw?: string; env?: Record<string, string> }) {
  const base = join(dir, String(n++));
  mkdirSync(base);
  const configFile = join(base, "netclaw.json");
  const secretsFile = join(base, "secrets.json");
  if (options.raw !== undefined) writeFileSync(configFile, options.raw);
  else if (options.file !== undefined) writeFileSync(configFile, JSON.stringify(options.file));
  if (options.secrets !== undefined) writeFileSync(secretsFile, JSON.stringify(options.secrets));
  return {
    configFile,
    secretsFile,
    loaded: () => loadConfig({ configFile, secretsFile, env: options.env ?? {} }),
  };
}

describe("layering", () => {
  test("defaults apply with no files and no environment", () => {
    const { config, configFileExists, warnings } = load({}).loaded();
    assert.equal(config.Daemon.Host, "127.0.0.1");
    assert.equal(config.Daemon.Port, 5199);
    assert.equal(config.Daemon.ExposureMode, "local");
    assert.equal(config.Session.CompactionThreshold, 0.75);
    assert.equal(config.Tools.MaxOutputChars, 32000);
    assert.equal(configFileExists, false);
    assert.deepEqual(warnings, []);
  });

  test("file < secrets < environment, later wins", () => {
    const { config } = load({
      file: {
        configVersion: 1,
        Providers: { openrouter: { Type: "openrouter", ApiKey: "from-file" } },
        Daemon: { Port: 6000 },
      },
      secrets: { Providers: { openrouter: { ApiKey: "from-secrets" } } },
      env: { NETCLAW_Daemon__Port: "7000" },
    }).loaded();
    assert.equal(config.Providers.openrouter?.ApiKey, "from-secrets");
    assert.equal(config.Providers.openrouter?.Type, "openrouter");
    assert.equal(config.Daemon.Port, 7000);
  });

  test("the seed's variables load exactly as meant", () => {
    const { config, warnings } = load({
      env: {
        NETCLAW_Providers__openrouter__Type: "openrouter",
        NETCLAW_Providers__openrouter__ApiKey: "sk-or-v1-abc",
        NETCLAW_Models__Main__Provider: "openrouter",
        NETCLAW_Models__Main__ModelId: "anthropic/claude-sonnet-4",
        "NETCLAW_Providers__local-ollama__Type": "ollama",
        "NETCLAW_Providers__local-ollama__Endpoint": "http://ollama:11434",
        NETCLAW_Daemon__DisableSelfUpdate: "true",
      },
    }).loaded();
    assert.deepEqual(config.Providers.openrouter, { Type: "openrouter", ApiKey: "sk-or-v1-abc" });
    assert.deepEqual(config.Providers["local-ollama"], { Type: "ollama", Endpoint: "http://ollama:11434" });
    assert.equal(config.Models.Main?.ModelId, "anthropic/claude-sonnet-4");
    assert.equal(config.Daemon.DisableSelfUpdate, true);
    assert.deepEqual(warnings, []);
  });
});

describe("environment edge cases", () => {
  test("keys are case-insensitive, in the prefix and in every segment", () => {
    const { config } = load({ env: { netclaw_DAEMON__port: "5300", NETCLAW_daemon__HOST: "::1" } }).loaded();
    assert.equal(config.Daemon.Port, 5300);
    assert.equal(config.Daemon.Host, "::1");
  });

  test("a file key spelled differently is merged, not duplicated", () => {
    const { config } = load({
      file: { daemon: { port: 5400 } },
      env: { NETCLAW_DAEMON__PORT: "5401" },
    }).loaded();
    assert.equal(config.Daemon.Port, 5401);
  });

  test("provider names keep the spelling first written", () => {
    const { config } = load({
      file: { Providers: { "Local-Ollama": { Type: "ollama" } } },
      env: { "NETCLAW_Providers__local-ollama__Endpoint": "http://x:1" },
    }).loaded();
    assert.deepEqual(Object.keys(config.Providers), ["Local-Ollama"]);
    assert.equal(config.Providers["Local-Ollama"]?.Endpoint, "http://x:1");
  });

  test("numeric segments build arrays, in index order", () => {
    const { config } = load({
      env: {
        NETCLAW_Daemon__TrustedProxies__1: "10.0.0.2",
        NETCLAW_Daemon__TrustedProxies__0: "10.0.0.0/24",
      },
    }).loaded();
    assert.deepEqual(config.Daemon.TrustedProxies, ["10.0.0.0/24", "10.0.0.2"]);
  });

  test("an env element overrides one element of a file array", () => {
    const { config } = load({
      file: { Daemon: { TrustedProxies: ["10.0.0.1", "10.0.0.2"] } },
      env: { NETCLAW_Daemon__TrustedProxies__1: "10.0.0.9" },
    }).loaded();
    assert.deepEqual(config.Daemon.TrustedProxies, ["10.0.0.1", "10.0.0.9"]);
  });

  test("booleans and enums are coerced ignoring case", () => {
    const { config } = load({
      env: {
        NETCLAW_Daemon__SkipTunnelProcessCheck: "TRUE",
        NETCLAW_Security__DeploymentPosture: "personal",
        NETCLAW_Tools__ShellMode: "hostallowed",
      },
    }).loaded();
    assert.equal(config.Daemon.SkipTunnelProcessCheck, true);
    assert.equal(config.Security.DeploymentPosture, "Personal");
    assert.equal(config.Tools.ShellMode, "HostAllowed");
  });

  test("empty values are ignored and reserved variables are not settings", () => {
    const { config, warnings } = load({
      file: { Daemon: { Port: 5500 } },
      env: {
        NETCLAW_Daemon__Port: "",
        NETCLAW_HOME: "/tmp/x",
        NETCLAW_DAEMON_ENDPOINT: "http://127.0.0.1:1",
        NETCLAW_CONTAINER_SUPERVISOR: "entrypoint",
        NETCLAW_SOMETHING_ELSE: "1",
      },
    }).loaded();
    assert.equal(config.Daemon.Port, 5500);
    assert.deepEqual(warnings, []);
  });

  test("segments that are empty (a triple underscore) are not settings", () => {
    const { config } = load({ env: { NETCLAW_Daemon___Port: "1" } }).loaded();
    assert.equal(config.Daemon.Port, 5199);
  });

  test("unknown keys warn and name their source", () => {
    const { warnings } = load({ file: { Daemon: { Prot: 1 } }, env: { NETCLAW_Bogus__Key: "x" } }).loaded();
    assert.equal(warnings.length, 2);
    assert.match(warnings.find((w) => w.key === "Daemon.Prot")!.source, /netclaw\.json$/);
    assert.equal(warnings.find((w) => w.key === "Bogus")!.source, "environment variable NETCLAW_Bogus__Key");
  });
});

describe("errors name the file or variable, the key, the value and the fix", () => {
  function fails(run: () => unknown): ConfigError {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error;
    }
    assert.fail("expected a ConfigError");
  }

  test("invalid JSON", () => {
    const case_ = load({ raw: '{ "Daemon": { "Port": 5199, } }' });
    const error = fails(case_.loaded);
    assert.equal(error.code, "config_invalid_json");
    assert.ok(error.message.includes(case_.configFile));
    assert.match(error.remediation, /Fix the JSON syntax/);
  });

  test("a wrong type from the file", () => {
    const case_ = load({ file: { Daemon: { Port: "abc" } } });
    const error = fails(case_.loaded);
    assert.equal(error.key, "Daemon.Port");
    assert.ok(error.message.includes(case_.configFile));
    assert.ok(error.message.includes('"abc"'));
  });

  test("a wrong type from the environment names the variable", () => {
    const error = fails(load({ env: { NETCLAW_Daemon__Port: "99999" } }).loaded);
    assert.match(
      error.message,
      /Daemon\.Port in environment variable NETCLAW_Daemon__Port: 99999 — must be at most 65535/,
    );
    assert.match(error.remediation, /NETCLAW_Daemon__Port/);
  });

  test("a bad enum lists the allowed values", () => {
    const error = fails(load({ file: { Tools: { ShellMode: "Sometimes" } } }).loaded);
    assert.match(error.message, /expected one of: Off, SandboxOnly, HostAllowed/);
  });

  test("secret values are never echoed", () => {
    const error = fails(load({ file: { Providers: { x: { Type: "openai", ApiKey: 12345 } } } }).loaded);
    assert.ok(!error.message.includes("12345"));
    assert.match(error.message, /\(hidden\)/);
  });

  test("a top level that is not an object", () => {
    const error = fails(load({ raw: "[1,2]" }).loaded);
    assert.equal(error.code, "config_not_object");
  });

  test("loading never modifies the files", () => {
    const case_ = load({ raw: '{"Daemon": {"Port": "x"}}' });
    const before = readFileSync(case_.configFile, "utf8");
    fails(case_.loaded);
    assert.equal(readFileSync(case_.configFile, "utf8"), before);
  });
});

describe("warnings name the layer a key was written in", () => {
  test("unknown keys: the file (even for an empty object), secrets.json, the variable; with a did-you-mean", () => {
    const { warnings, configFile, secretsFile } = (() => {
      const c = load({
        file: { Deamon: {}, Daemon: { Prot: 1 } },
        secrets: { Providers: { o: { ApiKy: "x" } } },
        env: { NETCLAW_Session__CompactionTreshold: "0.5" },
      });
      return { ...c, warnings: c.loaded().warnings };
    })();
    const by = (key: string) => warnings.find((w) => w.key === key)!;
    assert.equal(by("Deamon").source, configFile);
    assert.match(by("Deamon").message, /Did you mean 'Daemon'\?/);
    assert.match(
      by("Daemon.Prot").message,
      new RegExp(`'Daemon\\.Prot' in ${configFile} .*Did you mean 'Daemon\\.Port'\\?`),
    );
    assert.equal(by("Providers.o.ApiKy").source, secretsFile);
    assert.match(by("Providers.o.ApiKy").message, /Did you mean 'Providers\.o\.ApiKey'\?/);
    assert.equal(
      by("Session.CompactionTreshold").source,
      "environment variable NETCLAW_Session__CompactionTreshold",
    );
    assert.ok(warnings.every((w) => !w.message.includes("built-in defaults")));
  });

  test("a credential in plain text in netclaw.json is a warning that never shows the value", () => {
    const c = load({ file: { Providers: { o: { Type: "openai", ApiKey: "sk-plain-123" } } } });
    const warning = c.loaded().warnings.find((w) => w.code === "plaintext_secret")!;
    assert.equal(warning.key, "Providers.o.ApiKey");
    assert.ok(!JSON.stringify(warning).includes("sk-plain-123"));
    assert.match(warning.remediation, /netclaw secrets set Providers\.o\.ApiKey/);
    // The same key in secrets.json or the environment is not a warning.
    const elsewhere = load({
      file: { Providers: { o: { Type: "openai" } } },
      secrets: { Providers: { o: { ApiKey: "sk" } } },
    });
    assert.deepEqual(elsewhere.loaded().warnings, []);
  });
});

describe("hazards are refused in every layer, before anything merges", () => {
  test("secrets.json, an edit not yet written, and the environment", () => {
    const secrets = load({ secrets: JSON.parse('{"Providers": {"x": {"__proto__": {"ApiKey": "x"}}}}') });
    assert.throws(
      secrets.loaded,
      (e: ConfigError) =>
        e.code === "config_key_forbidden" &&
        e.message.includes(`${secrets.secretsFile} contains the key 'Providers.x.__proto__'`),
    );
    const override = load({});
    assert.throws(
      () =>
        loadConfig({
          configFile: override.configFile,
          secretsFile: override.secretsFile,
          env: {},
          fileOverride: { Daemon: { Port: 1, port: 2 } },
        }),
      (e: ConfigError) => e.code === "config_key_duplicate",
    );
    assert.throws(
      load({ env: { NETCLAW_Daemon__Port: "1", NETCLAW_DAEMON__PORT: "2" } }).loaded,
      (e: ConfigError) =>
        e.code === "config_key_duplicate" && /NETCLAW_DAEMON__PORT and NETCLAW_Daemon__Port/.test(e.message),
    );
    assert.equal(({} as Record<string, unknown>).ApiKey, undefined, "nothing reached Object.prototype");
  });
});

describe("Daemon connection limits", () => {
  test("defaults, and values from a file", () => {
    const { config } = load({}).loaded();
    assert.equal(config.Daemon.HeadersTimeoutSeconds, 10);
    assert.equal(config.Daemon.RequestTimeoutSeconds, 60);
    assert.equal(config.Daemon.MaxConnections, 256);
    assert.equal(config.Daemon.MaxEventStreams, 64);
    const custom = load({ file: { Daemon: { MaxConnections: 20, MaxEventStreams: 5 } } }).loaded().config;
    assert.equal(custom.Daemon.MaxConnections, 20);
    assert.equal(custom.Daemon.MaxEventStreams, 5);
  });

  test("a headers timeout past the request timeout, or streams that could take every connection, are refused by key", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { NETCLAW_Daemon__HeadersTimeoutSeconds: "90" },
        /Daemon\.HeadersTimeoutSeconds in environment variable NETCLAW_Daemon__HeadersTimeoutSeconds: 90 — must not exceed Daemon\.RequestTimeoutSeconds \(60\)/,
      ],
      [
        { NETCLAW_Daemon__MaxConnections: "10", NETCLAW_Daemon__MaxEventStreams: "10" },
        /Daemon\.MaxEventStreams .*: 10 — must be less than Daemon\.MaxConnections \(10\)/,
      ],
      [{ NETCLAW_Daemon__MaxConnections: "0" }, /Daemon\.MaxConnections .*: 0 — must be at least 2/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => load({ env }).loaded(),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});
