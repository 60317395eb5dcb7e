import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, NETCLAW, runCli, runNode, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);
const file = (home: string) => JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8"));

test("provider, model and config commands round-trip through the files and show in status", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home });
  assert.equal(
    (await runCli(["provider", "add", "local-ollama", "ollama", "--endpoint", "http://127.0.0.1:11434"], env))
      .code,
    0,
  );
  const keyed = await runNode(NETCLAW, ["provider", "add", "openrouter", "openrouter", "--api-key-stdin"], {
    env,
    input: "sk-or-v1-roundtrip\n",
  });
  assert.equal(keyed.code, 0, keyed.stderr);
  assert.equal(
    (await runCli(["model", "set", "main", "local-ollama", "qwen3:8b", "--context-window", "8192"], env))
      .code,
    0,
  );
  assert.equal(
    (await runCli(["model", "set", "fallback", "openrouter", "anthropic/claude-sonnet-4"], env)).code,
    0,
  );
  assert.equal((await runCli(["config", "set", "Session.CompactionThreshold", "0.5"], env)).code, 0);

  assert.deepEqual(file(home), {
    configVersion: 1,
    Providers: {
      "local-ollama": { Type: "ollama", Endpoint: "http://127.0.0.1:11434" },
      openrouter: { Type: "openrouter" },
    },
    Models: {
      Main: { Provider: "local-ollama", ModelId: "qwen3:8b", ContextWindow: 8192 },
      Fallback: { Provider: "openrouter", ModelId: "anthropic/claude-sonnet-4" },
    },
    Session: { CompactionThreshold: 0.5 },
  });
  const secrets = readFileSync(join(home, "config", "secrets.json"), "utf8");
  assert.ok(!secrets.includes("sk-or-v1-roundtrip"), "the key is stored encrypted");
  assert.match(secrets, /"ApiKey": "ENC:v1:/);
  assert.equal(statSync(join(home, "config", "secrets.json")).mode & 0o777, 0o600);

  const listed = await runCli(["provider", "list"], env);
  assert.match(listed.stdout, /^openrouter +openrouter +https:\/\/openrouter\.ai\/api\/v1 +key: set$/m);
  assert.ok(!listed.stdout.includes("sk-or"));
  const secret = await runCli(["config", "get", "Providers.openrouter.ApiKey"], env);
  assert.equal(secret.stdout, "(set — secrets are never printed)\n");
  assert.equal((await runCli(["config", "get", "session.compactionthreshold"], env)).stdout, "0.5\n");
  assert.equal(
    (await runCli(["config", "get", "Daemon.Port"], env)).stdout,
    "5199\n",
    "defaults show through",
  );

  const daemon = await startDaemon({ env });
  try {
    const status = JSON.parse(
      (await runCli(["status", "--json"], { ...env, NETCLAW_Daemon__Port: String(daemon.port) })).stdout,
    );
    assert.equal(status.model.modelId, "qwen3:8b");
    assert.equal(status.model.provider, "local-ollama");
    assert.equal(status.model.contextWindow, 8192);
  } finally {
    await daemon.stop();
  }

  const inUse = await runCli(["provider", "remove", "local-ollama"], env);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /^error: Provider 'local-ollama' is used by Models\.Main\.$/m);
  assert.equal((await runCli(["model", "clear", "fallback"], env)).code, 0);
  assert.equal((await runCli(["provider", "remove", "openrouter"], env)).code, 0);
  assert.equal((await runCli(["config", "unset", "Session.CompactionThreshold"], env)).code, 0);
  assert.deepEqual(Object.keys(file(home)), ["configVersion", "Providers", "Models"]);
  assert.equal((await runCli(["model", "clear", "main"], env)).code, 1);
});

test("settings commands refuse bad input and change nothing", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home });
  await runCli(["config", "set", "Daemon.Port", "6000"], env);
  const before = readFileSync(join(home, "config", "netclaw.json"), "utf8");
  const cases: [string[], RegExp][] = [
    [["config", "set", "Daemon.Port", "abc"], /Daemon\.Port takes a whole number, not 'abc'\./],
    [["config", "set", "Daemon.Port", "70000"], /Daemon\.Port .*must be at most 65535/],
    [["config", "set", "Daemon.Prot", "1"], /'Daemon\.Prot' is not a netclaw setting\./],
    [["config", "set", "Tools.ShellMode", "Sometimes"], /expected one of: Off, SandboxOnly, HostAllowed/],
    [["config", "set", "Providers.x.ApiKey", "sk-1"], /is a secret and does not belong in netclaw\.json/],
    [["provider", "add", "x", "watsonx"], /Unknown provider type 'watsonx'/],
    [["model", "set", "main", "nope", "m"], /Provider 'nope' is not configured\./],
    [["model", "set", "helper", "nope", "m"], /Unknown model role 'helper'/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args, env);
    assert.equal(result.code, 1, args.join(" "));
    assert.match(result.stderr, message, args.join(" "));
    assert.match(result.stderr, /^ +fix: /m, args.join(" "));
  }
  assert.equal(readFileSync(join(home, "config", "netclaw.json"), "utf8"), before);
  const schema = await runCli(["config", "schema"], env);
  assert.ok(JSON.parse(schema.stdout).properties.Daemon);
  assert.match((await runCli(["config", "path"], env)).stdout, /^config +.*config\/netclaw\.json$/m);
  assert.equal((await runCli(["config", "validate"], env)).code, 0);
});
