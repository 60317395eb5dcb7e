import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  cleanEnv,
  freePort,
  NETCLAW,
  runCli,
  runDaemonToExit,
  runNode,
  tempHomes,
} from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

/** A home with netclaw.json / secrets.json holding the raw texts given (when given). */
async function setup(files: { config?: string; secrets?: string; env?: Record<string, string> }) {
  const home = homes.home();
  mkdirSync(join(home, "config"), { recursive: true });
  const configFile = join(home, "config", "netclaw.json");
  const secretsFile = join(home, "config", "secrets.json");
  if (files.config !== undefined) writeFileSync(configFile, files.config);
  if (files.secrets !== undefined) writeFileSync(secretsFile, files.secrets, { mode: 0o600 });
  // Never the default port: doctor and a daemon that wrongly starts stay on a free one.
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(await freePort()), ...files.env });
  return { home, configFile, secretsFile, env };
}

function deepJson(levels: number): string {
  return `{"configVersion":1,"Future":${'{"a":'.repeat(levels)}1${"}".repeat(levels)}}`;
}

type Case = {
  name: string;
  config?: string;
  secrets?: string;
  env?: Record<string, string>;
  /** The exact message; `$CONFIG` and `$SECRETS` stand for the files' paths. */
  message: string;
  /** The doctor check that reports it (the most specific one); Config Schema unless set. */
  doctorCheck?: string;
};

const CASES: Case[] = [
  {
    name: "a model role pointing at a missing provider",
    config: '{"configVersion":1,"Models":{"Main":{"Provider":"nope","ModelId":"m"}}}',
    message: "Models.Main.Provider refers to provider 'nope', which is not configured.",
    doctorCheck: "Chat Client",
  },
  {
    name: "an empty ApiKey",
    config: '{"configVersion":1,"Providers":{"o":{"Type":"openai","ApiKey":""}}}',
    message: "Provider 'o' (openai) has an empty API key (Providers.o.ApiKey).",
    doctorCheck: "Chat Client",
  },
  {
    name: "a whitespace ApiKey from the environment",
    env: { NETCLAW_Providers__o__Type: "anthropic", NETCLAW_Providers__o__ApiKey: "   " },
    message: "Provider 'o' (anthropic) has an empty API key (Providers.o.ApiKey).",
    doctorCheck: "Chat Client",
  },
  {
    name: 'a top-level "__proto__"',
    config: '{"configVersion":1,"__proto__":{"Daemon":{"ExposureMode":"local"}}}',
    message: "$CONFIG contains the key '__proto__', which is not allowed.",
  },
  {
    name: '"constructor" inside an array element',
    config: '{"configVersion":1,"Tools":{"HardDenyPatterns":[{"constructor":1}]}}',
    message: "$CONFIG contains the key 'Tools.HardDenyPatterns.0.constructor', which is not allowed.",
  },
  {
    name: '"prototype" in secrets.json',
    secrets: '{"Providers":{"x":{"prototype":{"ApiKey":"k"}}}}',
    message: "$SECRETS contains the key 'Providers.x.prototype', which is not allowed.",
    doctorCheck: "Secrets File",
  },
  {
    name: "a reserved name in an environment variable",
    env: { NETCLAW_Session__constructor: "1" },
    message: "The environment variable NETCLAW_Session__constructor names a key that is not allowed.",
  },
  {
    name: "two keys that differ only in case",
    config: '{"configVersion":1,"Session":{"SnapshotInterval":5,"snapshotinterval":6}}',
    message:
      "$CONFIG sets both 'Session.SnapshotInterval' and 'Session.snapshotinterval': keys are case-insensitive, so these are the same key.",
  },
  {
    name: "two environment variables that differ only in case",
    env: { NETCLAW_Session__SnapshotInterval: "5", NETCLAW_SESSION__SNAPSHOTINTERVAL: "6" },
    message:
      "The environment variables NETCLAW_SESSION__SNAPSHOTINTERVAL and NETCLAW_Session__SnapshotInterval set the same key: names are case-insensitive.",
  },
  {
    name: "a config nested too deep",
    config: deepJson(40),
    message: `$CONFIG is nested more than 32 levels deep at 'Future${".a".repeat(32)}'.`,
  },
  {
    name: "an unknown exposure mode",
    config: '{"configVersion":1,"Daemon":{"ExposureMode":"nonsense"}}',
    message:
      "Unknown ExposureMode value: 'nonsense'. Valid values: local, reverse-proxy, tailscale-serve, tailscale-funnel, cloudflare-tunnel.",
    doctorCheck: "Exposure Mode",
  },
];

describe("config validate, doctor and netclawd refuse the same configurations with the same message", () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const h = await setup(c);
      const message = c.message.replace("$CONFIG", h.configFile).replace("$SECRETS", h.secretsFile);

      const validate = await runCli(["config", "validate"], h.env);
      assert.equal(validate.code, 1, validate.stdout + validate.stderr);
      const [errorLine, fixLine] = validate.stderr.split("\n");
      assert.equal(errorLine, `error: ${message}`);
      assert.doesNotMatch(validate.stdout, /valid/);

      const doctor = await runCli(["doctor"], h.env);
      assert.equal(doctor.code, 1);
      assert.ok(
        doctor.stdout.includes(`[FAIL] ${c.doctorCheck ?? "Config Schema"}: ${message}\n`),
        doctor.stdout,
      );
      // Each problem once: under its most specific check, never repeated by another.
      assert.equal(doctor.stdout.split(`: ${message}\n`).length, 2, doctor.stdout);

      const daemon = await runDaemonToExit(h.env);
      assert.equal(daemon.code, 78, daemon.stderr);
      const fix = fixLine!.replace(/^ +fix: /, "");
      assert.ok(
        daemon.stderr.includes(`Daemon startup aborted: ${message} Remediation: ${fix}\n`),
        `${daemon.stderr}\nexpected the fix: ${fix}`,
      );
      assert.doesNotMatch(daemon.stderr, /^\s+at /m, "no stack trace");
      const logs = join(h.home, "logs");
      const crashes = existsSync(logs) ? readdirSync(logs).filter((f) => f.startsWith("crash-")) : [];
      assert.deepEqual(crashes, [], "a configuration error is not a crash");
    });
  }
});

describe("config set validates the whole result and writes nothing when the daemon would refuse it", () => {
  test("the daemon's message, and the file unchanged (or not created)", async () => {
    const h = await setup({ config: '{\n  "configVersion": 1,\n  "Daemon": { "Port": 6001 }\n}\n' });
    const before = readFileSync(h.configFile, "utf8");
    const refusals: [string[], string][] = [
      [["Daemon.ExposureMode", "nonsense"], "Unknown ExposureMode value: 'nonsense'."],
      [
        ["daemon.host", "0.0.0.0"],
        "Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address.",
      ],
      [["Daemon.UpdateChannel", "nightly"], "Unknown UpdateChannel value: 'nightly'."],
      [
        ["Models.Main.Provider", "nope", "Models.Main.ModelId", "m"],
        "Models.Main.Provider refers to provider 'nope', which is not configured.",
      ],
      [["Providers.o.Type", "openai"], "Provider 'o' (openai) has no API key"],
      [
        ["Tools.HardDenyPatterns", `[${"[".repeat(40)}${"]".repeat(40)}]`],
        "is nested more than 32 levels deep",
      ],
      [["Daemon.Port", "6002", "Daemon.Host"], "'Daemon.Host' has no value."],
      [
        ["Providers.Constructor.Type", "ollama"],
        "'Providers.Constructor.Type' names the key 'Constructor', which is not allowed.",
      ],
      [
        ["McpServers.s", '{"Command":"x","EnvironmentVariables":{"GITHUB_TOKEN":"ghp-secret-9"}}'],
        "McpServers.s.EnvironmentVariables.GITHUB_TOKEN is a secret and does not belong in netclaw.json.",
      ],
      [["providers", '{"o":{"Type":"ollama","ApiKey":"sk-secret-9"}}'], "Providers.o.ApiKey is a secret"],
      [
        ["provider", "add", "__proto__", "ollama"],
        "'Providers.__proto__.Type' names the key '__proto__', which is not allowed.",
      ],
    ];
    for (const [args, message] of refusals) {
      const result = await runCli(args[0] === "provider" ? args : ["config", "set", ...args], h.env);
      assert.equal(result.code, 1, args.join(" "));
      assert.ok(result.stderr.startsWith("error: "), result.stderr);
      assert.ok(result.stderr.includes(message), `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^ +fix: /m);
      assert.doesNotMatch(result.stdout + result.stderr, /secret-9/, "the value is never echoed");
      assert.equal(readFileSync(h.configFile, "utf8"), before, args.join(" "));
    }
    // Settings that depend on each other change together, in one validated write.
    const together = await runCli(
      [
        "config",
        "set",
        "Daemon.Host",
        "10.0.0.5",
        "Daemon.ExposureMode",
        "reverse-proxy",
        "Daemon.TrustedProxies",
        '["10.0.0.1"]',
      ],
      h.env,
    );
    assert.equal(together.code, 0, together.stderr);
    assert.deepEqual(JSON.parse(readFileSync(h.configFile, "utf8")).Daemon, {
      Port: 6001,
      Host: "10.0.0.5",
      ExposureMode: "reverse-proxy",
      TrustedProxies: ["10.0.0.1"],
    });

    const empty = await setup({});
    const refused = await runCli(["config", "set", "Daemon.ExposureMode", "nonsense"], empty.env);
    assert.equal(refused.code, 1);
    assert.equal(existsSync(empty.configFile), false, "nothing written");
  });
});

describe("secrets are never printed, and plain-text keys in netclaw.json are flagged", () => {
  test("config get of any subtree, in any case, masks file, secrets.json and environment secrets", async () => {
    const h = await setup({
      config: JSON.stringify({
        configVersion: 1,
        Providers: { file: { Type: "openai", ApiKey: "sk-file-1111111" }, Sec: { Type: "anthropic" } },
        McpServers: { gh: { Command: "gh-mcp", EnvironmentVariables: { GITHUB_TOKEN: "ghp-4444444" } } },
      }),
      env: { NETCLAW_Providers__envp__Type: "openrouter", NETCLAW_Providers__envp__ApiKey: "sk-env-3333333" },
    });
    const stored = await runNode(NETCLAW, ["secrets", "set", "Providers.Sec.ApiKey"], {
      env: h.env,
      input: "sk-sec-2222222\n",
    });
    assert.equal(stored.code, 0, stored.stderr);
    const values = ["sk-file-1111111", "sk-sec-2222222", "sk-env-3333333", "ghp-4444444"];
    for (const key of [
      "Providers",
      "providers",
      "PROVIDERS.FILE",
      "providers.sec",
      "Providers.envp",
      "McpServers",
      "mcpservers.gh.environmentvariables",
    ]) {
      for (const json of [[], ["--json"]]) {
        const result = await runCli(["config", "get", key, ...json], h.env);
        assert.equal(result.code, 0, `${key}: ${result.stderr}`);
        for (const value of values) assert.ok(!result.stdout.includes(value), `${key} printed ${value}`);
        assert.match(result.stdout, /\(hidden\)/, key);
      }
    }
    const providers = JSON.parse((await runCli(["config", "get", "Providers", "--json"], h.env)).stdout);
    assert.equal(providers.file.Type, "openai", "non-secret leaves still show");

    const validate = await runCli(["config", "validate"], h.env);
    assert.equal(validate.code, 0, validate.stderr);
    assert.ok(
      validate.stdout.includes(
        `warning: Providers.file.ApiKey is stored in plain text in ${h.configFile}; credentials belong encrypted in secrets.json.`,
      ),
      validate.stdout,
    );
    assert.match(validate.stdout, /fix: move it: `netclaw secrets set Providers\.file\.ApiKey`/);
    assert.match(
      validate.stdout,
      /McpServers\.gh\.EnvironmentVariables\.GITHUB_TOKEN is stored in plain text/,
    );
    const doctor = await runCli(["doctor"], h.env);
    assert.match(
      doctor.stdout,
      /^\[WARN\] Plaintext Secret: Providers\.file\.ApiKey is stored in plain text/m,
    );
    assert.match(
      doctor.stdout,
      /fix: move it: `netclaw secrets set Providers\.file\.ApiKey` \(the value on stdin\)/,
    );
    for (const output of [validate.stdout, validate.stderr, doctor.stdout, doctor.stderr])
      for (const value of values) assert.ok(!output.includes(value), `printed ${value}`);
  });

  test("unknown keys: validate and doctor name the file and suggest the closest key", async () => {
    const h = await setup({ config: '{"configVersion":1,"Daemon":{"Prot":6000},"Deamon":{}}' });
    const validate = await runCli(["config", "validate"], h.env);
    assert.equal(validate.code, 0);
    assert.ok(
      validate.stdout.includes(
        `warning: Unknown configuration key 'Daemon.Prot' in ${h.configFile} is ignored. Did you mean 'Daemon.Port'?`,
      ),
      validate.stdout,
    );
    assert.ok(validate.stdout.includes(`'Deamon' in ${h.configFile} is ignored. Did you mean 'Daemon'?`));
    const doctor = await runCli(["doctor"], h.env);
    assert.ok(doctor.stdout.includes(`[WARN] Unknown Key: 'Daemon.Prot' in ${h.configFile}`), doctor.stdout);
    assert.ok(doctor.stdout.includes(`fix: rename it to 'Port' in ${h.configFile}, or remove it`));
  });
});
