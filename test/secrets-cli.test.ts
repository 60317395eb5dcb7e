import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { markBootstrapCompleted } from "../src/config/bootstrap-state.ts";
import { createDeviceRegistry, generateDeviceToken } from "../src/config/device-registry.ts";
import { homePaths } from "../src/config/home.ts";
import { cleanEnv, NETCLAW, runDaemonToExit, runNode, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(() => homes.cleanup());

const KEY = "Providers.openrouter.ApiKey";
const VALUE = "sk-or-v1-0123456789abcdef";
const provider = {
  NETCLAW_Providers__openrouter__Type: "openrouter",
  NETCLAW_Models__Main__Provider: "openrouter",
  NETCLAW_Models__Main__ModelId: "anthropic/claude-sonnet-4",
};

describe("netclaw secrets set and encrypted secrets.json", () => {
  test("the value comes from the argument, --from-env or stdin; it is stored encrypted and never printed", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, MY_SECRET: `${VALUE}-env` });
    const set = (args: string[], input?: string) =>
      runNode(NETCLAW, ["secrets", "set", ...args], { env, input });

    const fromArg = await set([KEY, VALUE]);
    assert.equal(fromArg.code, 0, fromArg.stderr);
    assert.equal(fromArg.stdout, `Set ${KEY} (encrypted).\n`);
    const fromEnv = await set(["Channels.slack.BotToken", "--from-env", "MY_SECRET"]);
    assert.equal(fromEnv.stdout, "Set Channels.slack.BotToken (encrypted).\n");
    const fromStdin = await set(["DeviceToken"], `${VALUE}-stdin\n`);
    assert.equal(fromStdin.stdout, "Set DeviceToken (encrypted).\n");

    const paths = homePaths(home);
    const text = readFileSync(paths.secretsFile, "utf8");
    assert.ok(!text.includes(VALUE), "no plaintext in secrets.json");
    const tree = JSON.parse(text);
    assert.match(tree.Providers.openrouter.ApiKey, /^ENC:v1:/);
    assert.match(tree.Channels.slack.BotToken, /^ENC:v1:/);
    assert.match(tree.DeviceToken, /^ENC:v1:/);
    assert.equal(statSync(paths.secretsFile).mode & 0o777, 0o600);
    assert.equal(statSync(paths.secretsKey).mode & 0o777, 0o600);
    assert.equal(statSync(paths.keysDir).mode & 0o777, 0o700);

    const both = await set([KEY, "x", "--from-env", "MY_SECRET"]);
    assert.equal(both.code, 2);
    const missing = await set([KEY, "--from-env", "NOPE"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /environment variable NOPE is not set/);

    // The configuration sees the decrypted key: the model resolves (an empty key would fail).
    const doctor = await runNode(NETCLAW, ["doctor", "--json"], { env: { ...env, ...provider } });
    const checks = JSON.parse(doctor.stdout).checks as { name: string; severity: string; message: string }[];
    assert.equal(checks.find((c) => c.name === "Chat Client")?.severity, "pass", doctor.stdout);
    assert.equal(checks.find((c) => c.name === "Secrets File")?.severity, "pass");
    assert.ok(!doctor.stdout.includes(VALUE) && !doctor.stderr.includes(VALUE));
  });

  test("a value the key cannot decrypt stops CLI and daemon with the key name and the re-entry command", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, ...provider });
    assert.equal((await runNode(NETCLAW, ["secrets", "set", KEY, VALUE], { env })).code, 0);
    writeFileSync(homePaths(home).secretsKey, randomBytes(32), { mode: 0o600 }); // a lost key, replaced

    const doctor = await runNode(NETCLAW, ["doctor"], { env });
    assert.equal(doctor.code, 1);
    assert.match(
      doctor.stdout,
      /\[FAIL\] Secrets File: Cannot decrypt secret 'Providers\.openrouter\.ApiKey'/,
    );
    // Once, under the most specific check: Config Schema points there instead of repeating it.
    assert.equal(doctor.stdout.split("Cannot decrypt secret").length, 2, doctor.stdout);
    assert.match(
      doctor.stdout,
      /^\[INFO\] Config Schema: the daemon refuses this configuration: see Secrets File$/m,
    );
    assert.match(doctor.stdout, /netclaw secrets set Providers\.openrouter\.ApiKey <value>/);

    const status = await runNode(NETCLAW, ["status"], { env });
    assert.equal(status.code, 1);
    assert.match(status.stdout, /^\[FAIL\] status: Cannot decrypt secret 'Providers\.openrouter\.ApiKey'/);

    const daemon = await runDaemonToExit(env);
    assert.equal(daemon.code, 78);
    assert.match(
      daemon.stderr,
      /Daemon startup aborted: Cannot decrypt secret 'Providers\.openrouter\.ApiKey'.*Remediation: .*`netclaw secrets set Providers\.openrouter\.ApiKey <value>`/,
    );
  });

  test("doctor warns about plaintext values without printing them", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home });
    assert.equal((await runNode(NETCLAW, ["secrets", "set", "DeviceToken", "abc"], { env })).code, 0);
    const tree = JSON.parse(readFileSync(homePaths(home).secretsFile, "utf8"));
    tree.Providers = { openrouter: { ApiKey: VALUE } };
    writeFileSync(homePaths(home).secretsFile, JSON.stringify(tree), { mode: 0o600 });
    const doctor = await runNode(NETCLAW, ["doctor"], { env });
    assert.match(
      doctor.stdout,
      /\[WARN\] Secrets File: .* holds 1 plaintext value\(s\): Providers\.openrouter\.ApiKey/,
    );
    assert.ok(!doctor.stdout.includes(VALUE));

    const dry = await runNode(NETCLAW, ["doctor", "--fix", "--dry-run"], { env });
    assert.match(dry.stdout, /Providers\.openrouter\.ApiKey: plaintext → ENC:v1:…/);
    const declined = await runNode(NETCLAW, ["doctor", "--fix"], { env, input: "n\n" });
    assert.match(declined.stdout, /Apply these fixes\? \[y\/N\]: \nNo changes made\./);
    assert.ok(readFileSync(homePaths(home).secretsFile, "utf8").includes(VALUE), "unchanged when declined");

    const fixed = await runNode(NETCLAW, ["doctor", "--fix", "--json"], { env, input: "y\n" });
    const report = JSON.parse(fixed.stdout);
    assert.deepEqual(report.fix.changedFiles, [homePaths(home).secretsFile]);
    assert.equal(report.checks.find((c: { name: string }) => c.name === "Secrets File").severity, "pass");
    const after = JSON.parse(readFileSync(homePaths(home).secretsFile, "utf8"));
    assert.match(after.Providers.openrouter.ApiKey, /^ENC:v1:/);
    assert.equal(after.DeviceToken, tree.DeviceToken, "already-encrypted values are kept as they were");
    const backup = report.fix.backup as string;
    assert.equal(statSync(join(backup, "config__secrets.json")).mode & 0o777, 0o600);
    assert.ok(
      readFileSync(join(backup, "config__secrets.json"), "utf8").includes(VALUE),
      "the original was saved first",
    );
    assert.ok(!fixed.stdout.includes(VALUE));
  });
});

describe("doctor: exposure and the bootstrap pairing state", () => {
  const remoteEnv = (home: string) =>
    cleanEnv({
      NETCLAW_HOME: home,
      NETCLAW_Daemon__ExposureMode: "tailscale-serve",
      NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
    });
  const line = async (home: string, name: string) => {
    const result = await runNode(NETCLAW, ["doctor"], { env: remoteEnv(home) });
    return result.stdout.split("\n").filter((l) => l.startsWith("[") && l.includes(`] ${name}:`));
  };
  const pairOffline = (home: string, name: string) => {
    const paths = homePaths(home);
    mkdirSync(paths.configDir, { recursive: true });
    const registry = createDeviceRegistry({ devicesPath: paths.devicesFile, now: Date.now });
    const token = generateDeviceToken();
    registry.add({ name, isBootstrap: false, token });
    return token;
  };

  test("before the first start: no device yet is fine (the daemon will seed one)", async () => {
    const home = homes.home();
    assert.deepEqual(await line(home, "Exposure Mode"), [
      "[INFO] Exposure Mode: ExposureMode: tailscale-serve. No device is paired yet; the first start seeds a bootstrap device for this host's CLI.",
    ]);
  });

  test("before the first start, reverse-proxy topology is still checked", async () => {
    const home = homes.home();
    const result = await runNode(NETCLAW, ["doctor"], {
      env: cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__ExposureMode: "reverse-proxy" }),
    });
    assert.match(
      result.stdout,
      /\[FAIL\] Exposure Mode: Invalid reverse-proxy topology: Daemon\.Host '127\.0\.0\.1' is loopback\./,
    );
  });

  test("devices but no matching DeviceToken: an error before bootstrap completed, a warning after", async () => {
    const home = homes.home();
    pairOffline(home, "phone");
    assert.equal(
      (
        await runNode(NETCLAW, ["secrets", "set", "DeviceToken", "--", generateDeviceToken()], {
          env: remoteEnv(home),
        })
      ).code,
      0,
    );
    assert.deepEqual(await line(home, "Exposure Mode"), [
      "[PASS] Exposure Mode: ExposureMode: tailscale-serve.",
    ]);
    assert.deepEqual(await line(home, "Bootstrap Pairing"), [
      "[FAIL] Bootstrap Pairing: Bootstrap pairing state is incomplete: devices.json exists but the local DeviceToken does not match any registered device.",
    ]);
    markBootstrapCompleted({ path: homePaths(home).bootstrapStateFile, now: new Date() });
    assert.deepEqual(await line(home, "Bootstrap Pairing"), [
      "[WARN] Bootstrap Pairing: Local control-plane access is misconfigured: devices.json contains paired devices but the local DeviceToken does not match any registered device.",
    ]);
    const exposure = await line(home, "Exposure");
    assert.match(
      exposure[0] ?? "",
      /^\[INFO\] Exposure: remote access within your tailnet .*; 1 paired device\(s\)$/,
    );
  });

  test("a matching DeviceToken clears the mismatch; after bootstrap, zero devices is a failure", async () => {
    const home = homes.home();
    const token = pairOffline(home, "this-host");
    assert.equal(
      (await runNode(NETCLAW, ["secrets", "set", "DeviceToken", "--", token], { env: remoteEnv(home) })).code,
      0,
    );
    assert.deepEqual(await line(home, "Bootstrap Pairing"), []);
    const devices = JSON.parse(readFileSync(homePaths(home).devicesFile, "utf8"));
    assert.equal(devices[0].LastUsedAt, null, "doctor's check does not touch LastUsedAt");

    writeFileSync(homePaths(home).devicesFile, "[]\n", { mode: 0o600 });
    markBootstrapCompleted({ path: homePaths(home).bootstrapStateFile, now: new Date() });
    const [exposure] = await line(home, "Exposure Mode");
    assert.match(
      exposure ?? "",
      /^\[FAIL\] Exposure Mode: No remote authentication available: ExposureMode='tailscale-serve'/,
    );
  });
});

describe("netclaw secrets list and unset", () => {
  const FILE_VALUE = "sk-or-v1-listme0123456789abcdef";
  const ENV_VALUE = "env-secret-value-0123456789";
  const PLAIN_VALUE = "plain-in-netclaw-json-0123";

  const setup = async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home });
    for (const [key, value] of [
      [KEY, FILE_VALUE],
      ["McpServers.tickets.Headers.Authorization", `Bearer ${FILE_VALUE}`],
    ] as const) {
      assert.equal((await runNode(NETCLAW, ["secrets", "set", key, value], { env })).code, 0);
    }
    writeFileSync(
      homePaths(home).configFile,
      JSON.stringify({ configVersion: 1, Providers: { local: { Type: "openai", ApiKey: PLAIN_VALUE } } }),
    );
    return {
      home,
      env: {
        ...env,
        NETCLAW_Providers__openrouter__ApiKey: ENV_VALUE,
        NETCLAW_Providers__x__ApiKey: ENV_VALUE,
      },
    };
  };
  const neverShown = (text: string) => {
    for (const value of [FILE_VALUE, ENV_VALUE, PLAIN_VALUE]) {
      assert.ok(
        !text.includes(value.slice(0, 12)) && !text.includes(value.slice(-8)),
        `value shown in ${text}`,
      );
    }
  };

  test("list: each key and where it comes from, never a value", async () => {
    const { home, env } = await setup();
    const list = await runNode(NETCLAW, ["secrets", "list"], { env });
    assert.equal(list.code, 0, list.stderr);
    neverShown(list.stdout + list.stderr);
    const lines = list.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/ {2,}/, "  "));
    assert.deepEqual(lines, [
      "McpServers.tickets.Headers.Authorization  secrets.json (encrypted)",
      "Providers.local.ApiKey  netclaw.json (plain text — move it: `netclaw secrets set Providers.local.ApiKey <value>`, then `netclaw config unset Providers.local.ApiKey`)",
      "Providers.openrouter.ApiKey  secrets.json (encrypted), overridden by environment variable NETCLAW_Providers__openrouter__ApiKey",
      "Providers.openrouter.ApiKey  environment variable NETCLAW_Providers__openrouter__ApiKey",
      "Providers.x.ApiKey  environment variable NETCLAW_Providers__x__ApiKey",
    ]);
    const json = await runNode(NETCLAW, ["secrets", "list", "--json"], { env });
    neverShown(json.stdout);
    assert.deepEqual(JSON.parse(json.stdout)[0], {
      key: "McpServers.tickets.Headers.Authorization",
      source: "secrets.json",
      encrypted: true,
    });
    writeFileSync(homePaths(home).configFile, '{"configVersion": 1,');
    const broken = await runNode(NETCLAW, ["secrets", "list"], { env });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^error: Invalid JSON in .*netclaw\.json.*\n {7}fix: Fix the JSON syntax/);
    const unsetAnyway = await runNode(NETCLAW, ["secrets", "unset", "DeviceToken"], { env });
    assert.equal(unsetAnyway.code, 1, "not in secrets.json: the broken netclaw.json is reported");
    const removed = await runNode(NETCLAW, ["secrets", "unset", KEY], { env });
    assert.equal(removed.code, 0, `secrets.json does not need netclaw.json: ${removed.stderr}`);
    const none = await runNode(NETCLAW, ["secrets", "list"], {
      env: cleanEnv({ NETCLAW_HOME: homes.home() }),
    });
    assert.equal(none.code, 0);
    assert.match(none.stdout, /^No secrets are set/);
  });

  test("unset: removes from secrets.json (0600, atomically); environment and netclaw.json keys are refused with the fix", async () => {
    const { home, env } = await setup();
    const paths = homePaths(home);
    const removed = await runNode(NETCLAW, ["secrets", "unset", "providers.openrouter.apikey"], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(
      removed.stdout,
      "Removed Providers.openrouter.ApiKey from secrets.json.\nNote: Providers.openrouter.ApiKey is still set by the environment variable NETCLAW_Providers__openrouter__ApiKey.\n",
    );
    const tree = JSON.parse(readFileSync(paths.secretsFile, "utf8"));
    assert.equal(tree.Providers, undefined, "the emptied Providers section is gone");
    assert.match(tree.McpServers.tickets.Headers.Authorization, /^ENC:v1:/);
    assert.equal(statSync(paths.secretsFile).mode & 0o777, 0o600);

    const again = await runNode(NETCLAW, ["secrets", "unset", KEY], {
      env: cleanEnv({ NETCLAW_HOME: home }),
    });
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      /no secret 'Providers\.openrouter\.ApiKey' in .*secrets\.json\. `netclaw secrets list` shows what is set\./,
    );
    const fromEnv = await runNode(NETCLAW, ["secrets", "unset", "Providers.x.ApiKey"], { env });
    assert.equal(fromEnv.code, 1);
    assert.match(
      fromEnv.stderr,
      /it comes from the environment variable NETCLAW_Providers__x__ApiKey, which netclaw cannot unset\. Remove that variable/,
    );
    const plain = await runNode(NETCLAW, ["secrets", "unset", "Providers.local.ApiKey"], { env });
    assert.equal(plain.code, 1);
    assert.match(
      plain.stderr,
      /as plain text\. Remove it with `netclaw config unset Providers\.local\.ApiKey`/,
    );
    for (const args of [
      ["secrets", "unset"],
      ["secrets", "unset", "a..b"],
      ["secrets", "unset", "__proto__.x"],
    ]) {
      const usage = await runNode(NETCLAW, args, { env });
      assert.equal(usage.code, 2, `${args.join(" ")}: ${usage.stderr}`);
    }
    neverShown(removed.stdout + again.stderr + fromEnv.stderr + plain.stderr);
    assert.equal(
      (await runNode(NETCLAW, ["secrets", "unset", "McpServers"], { env })).code,
      0,
      "a whole section can go",
    );
    assert.deepEqual(JSON.parse(readFileSync(paths.secretsFile, "utf8")), {});
  });

  test("unset: removing the Main model's only key says the daemon keeps the old value and the next start fails", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, ...provider });
    assert.equal((await runNode(NETCLAW, ["secrets", "set", KEY, FILE_VALUE], { env })).code, 0);
    const removed = await runNode(NETCLAW, ["secrets", "unset", KEY], { env });
    assert.equal(removed.code, 0);
    assert.equal(removed.stdout, `Removed ${KEY} from secrets.json.\n`);
    assert.match(
      removed.stderr,
      /^warning: the configuration is now invalid: Provider 'openrouter' \(openrouter\) has no API key .* A running netclawd ignores the change and keeps using the old value; the next start fails\. Fix: Set it with `netclaw secrets set Providers\.openrouter\.ApiKey <key>`/,
    );
  });
});
