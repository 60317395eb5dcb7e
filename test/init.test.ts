import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { cleanEnv, freePort, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream({ apiKey: { openrouter: "sk-or-v1-good" } });
});
after(async () => {
  homes.cleanup();
  await fake.close();
});

const flags = (extra: string[] = []) => [
  "init",
  "--non-interactive",
  "--provider",
  "openrouter",
  "--endpoint",
  fake.openrouterBaseUrl,
  "--api-key-env",
  "OR_KEY",
  "--model",
  "anthropic/claude-sonnet-4",
  "--name",
  "Ada",
  "--timezone",
  "Europe/Berlin",
  ...extra,
];

test("scripted init tests the provider, writes config, encrypted key and identity, starts the daemon", async () => {
  const home = homes.home();
  const port = await freePort();
  const env = cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-good", NETCLAW_Daemon__Port: String(port) });
  const result = await runCli(flags(), env);
  try {
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^\[PASS\] provider check: openrouter answers \(\d+ model\(s\)\)\.$/m);
    assert.match(result.stdout, /^Daemon started \(PID \d+\)\.$/m);
    assert.match(result.stdout, /Run `netclaw chat` to talk to your agent/);
    const config = JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8"));
    assert.equal(config.configVersion, 1);
    assert.deepEqual(config.Providers.openrouter, { Type: "openrouter", Endpoint: fake.openrouterBaseUrl });
    assert.deepEqual(config.Models.Main, { Provider: "openrouter", ModelId: "anthropic/claude-sonnet-4" });
    assert.equal(config.Security.DeploymentPosture, "Personal");
    assert.equal(config.Tools.ShellMode, "HostAllowed");
    assert.equal(
      config.Tools.AudienceProfiles.Personal.ApprovalPolicy.ToolOverrides.shell_execute,
      "Approval",
    );
    // Only features that exist: no Search or SubAgents (not supported yet).
    assert.deepEqual(
      Object.keys(config).filter((k) => config[k]?.Enabled !== undefined),
      ["Memory", "Scheduling", "Webhooks"],
    );
    const secrets = readFileSync(join(home, "config", "secrets.json"), "utf8");
    assert.ok(!secrets.includes("sk-or-v1-good"));
    assert.match(secrets, /ENC:v1:/);
    assert.equal(statSync(join(home, "config", "secrets.json")).mode & 0o777, 0o600);
    const soul = readFileSync(join(home, "identity", "SOUL.md"), "utf8");
    assert.match(soul, /Ada/);
    assert.match(soul, /Europe\/Berlin/);
    assert.ok(existsSync(join(home, "identity", "AGENTS.md")));
    const status = await runCli(["status", "--json"], env);
    assert.equal(status.code, 0, status.stdout);
    assert.equal(JSON.parse(status.stdout).model.modelId, "anthropic/claude-sonnet-4");
    for (const file of readdirSync(join(home, "logs"))) {
      assert.ok(
        !readFileSync(join(home, "logs", file), "utf8").includes("sk-or-v1-good"),
        `${file} has no key`,
      );
    }
  } finally {
    await runCli(["daemon", "stop"], env);
  }
});

test("a rejected key fails the check with a clear verdict and writes nothing", async () => {
  const home = homes.home();
  const result = await runCli(
    flags(["--no-start"]),
    cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-wrong" }),
  );
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^\[FAIL\] provider check: openrouter \(openrouter\): .*refused the API key .*\(HTTP 401\)/m,
  );
  assert.match(result.stderr, /Nothing was written\./);
  assert.ok(!existsSync(join(home, "config", "netclaw.json")));
});

test("missing or bad flags are usage errors (exit 2) that name the flag; a non-terminal needs --non-interactive", async () => {
  const env = cleanEnv({ NETCLAW_HOME: homes.home() });
  const cases: [string[], RegExp][] = [
    [["init", "--non-interactive"], /missing --provider <type> and --model <id>/],
    [["init", "--non-interactive", "--provider", "openrouter", "--model", "m"], /needs --api-key-env <VAR>/],
    [
      ["init", "--non-interactive", "--provider", "watson", "--model", "m"],
      /--provider 'watson' is not one of/,
    ],
    [
      ["init", "--non-interactive", "--provider", "ollama", "--model", "m", "--timezone", "Mars/Base"],
      /--timezone 'Mars\/Base' is not an IANA time zone/,
    ],
    [
      ["init", "--non-interactive", "--provider", "ollama", "--model", "m", "--exposure", "public"],
      /Unknown ExposureMode value: 'public'/,
    ],
    [["init"], /netclaw init is interactive and needs a terminal/],
    [
      ["init", "--non-interactive", "--provider", "ollama", "--model", "m", "--features", "Memory,search"],
      /--features 'search': Search is not supported yet; leave it out \(choose from Memory, Scheduling, Webhooks\)\./,
    ],
    [
      ["init", "--non-interactive", "--provider", "ollama", "--model", "m", "--features", "SubAgents"],
      /--features 'SubAgents': SubAgents is not supported yet; leave it out/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args, env);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, message, args.join(" "));
  }
});

test("init over a file an earlier version wrote drops its Search and SubAgents sections", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-good" });
  mkdirSync(join(home, "config"), { recursive: true });
  const file = join(home, "config", "netclaw.json");
  writeFileSync(
    file,
    JSON.stringify({ configVersion: 1, Search: { Enabled: true }, SubAgents: { Enabled: true }, Keep: 1 }),
  );
  const result = await runCli(flags(["--no-start", "--posture", "Team", "--features", "Memory"]), env);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const config = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(config.Search, undefined);
  assert.equal(config.SubAgents, undefined);
  assert.equal(config.Keep, 1, "keys init does not own are kept");
  assert.equal(config.Memory.Enabled, true);
  assert.equal(config.Scheduling.Enabled, false);
  assert.doesNotMatch((await runCli(["config", "validate"], env)).stdout, /not supported yet/);
});

test("model discover lists a configured provider's models", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-good" });
  assert.equal((await runCli(flags(["--no-start"]), env)).code, 0);
  const listed = await runCli(["model", "discover", "openrouter", "--json"], env);
  assert.equal(listed.code, 0, listed.stdout);
  const models = JSON.parse(listed.stdout) as { id: string }[];
  assert.ok(models.length > 0);
  const unknown = await runCli(["model", "discover", "nope"], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Provider 'nope' is not configured/);
});

// One validation: init writes netclaw.json only through the check the daemon starts with, so a
// configuration the daemon would refuse is reported in its words and nothing is written.
test("scripted init refuses what the daemon would refuse and writes nothing", async () => {
  const cases: { extra: string[]; env?: Record<string, string>; error: RegExp }[] = [
    { extra: ["--exposure", "reverse-proxy"], error: /^error: Invalid reverse-proxy topology: Daemon.Host/m },
    {
      extra: ["--exposure", "reverse-proxy", "--host", "10.0.0.5", "--trusted-proxies", "10.0.0.1,nope"],
      error: /^error: Invalid trusted proxy entry 'nope'/m,
    },
    { extra: [], env: { NETCLAW_Daemon__Host: "0.0.0.0" }, error: /^error: Invalid local topology/m },
  ];
  for (const { extra, env: extraEnv, error } of cases) {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-good", ...extraEnv });
    const result = await runCli([...flags(extra), "--skip-check", "--no-start"], env);
    assert.equal(result.code, 1, `${extra.join(" ")}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, error);
    assert.match(result.stderr, /^ +fix: /m);
    assert.match(result.stderr, /Nothing was written/);
    assert.ok(!existsSync(join(home, "config", "netclaw.json")), `${extra.join(" ")} wrote netclaw.json`);
    assert.ok(!existsSync(join(home, "config", "secrets.json")), `${extra.join(" ")} wrote secrets.json`);
    assert.ok(!existsSync(join(home, "identity", "SOUL.md")), `${extra.join(" ")} wrote SOUL.md`);
  }
});

test("init over an existing netclaw.json the daemon refuses leaves it byte for byte", async () => {
  const home = homes.home();
  mkdirSync(join(home, "config"), { recursive: true });
  const before = JSON.stringify({
    configVersion: 1,
    Models: { Fallback: { Provider: "ghost", ModelId: "x" } },
  });
  writeFileSync(join(home, "config", "netclaw.json"), before);
  const env = cleanEnv({ NETCLAW_HOME: home, OR_KEY: "sk-or-v1-good" });
  const result = await runCli([...flags(), "--skip-check", "--no-start"], env);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /ghost/);
  assert.equal(readFileSync(join(home, "config", "netclaw.json"), "utf8"), before);
  assert.ok(!existsSync(join(home, "config", "secrets.json")));
});
