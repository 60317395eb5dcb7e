import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, freePort, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

// Settings of the original netclaw that nothing implements yet: warned about by name and file
// everywhere the configuration is read, refused by `config set`, removable by `config unset`.

const homes = tempHomes();
after(homes.cleanup);

function homeWith(config: unknown): { home: string; file: string } {
  const home = homes.home();
  mkdirSync(join(home, "config"), { recursive: true });
  const file = join(home, "config", "netclaw.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return { home, file };
}

const CONFIG = {
  configVersion: 1,
  Providers: { ol: { Type: "ollama" } },
  Models: { Main: { Provider: "ol", ModelId: "qwen3:0.6b" } },
  SubAgents: { Enabled: true },
  Session: { SnapshotInterval: 20 },
  McpServers: { fs: { Command: "fs-server", Enabled: false, GrantCategory: "mcp:fs" } },
};
const line = (key: string, source: string) =>
  `${key} is not supported yet (ignored): set in ${source}. Nothing in this version of netclaw reads it; remove it to silence this warning.`;

test("config validate and doctor name each unsupported key and where it is set", async () => {
  const { home, file } = homeWith(CONFIG);
  const env = cleanEnv({
    NETCLAW_HOME: home,
    NETCLAW_Telemetry__Enabled: "true",
    NETCLAW_Daemon__Port: String(await freePort()),
  });
  const validate = await runCli(["config", "validate"], env);
  assert.equal(validate.code, 0, validate.stderr);
  for (const key of ["SubAgents.Enabled", "Session.SnapshotInterval", "McpServers.fs.GrantCategory"])
    assert.ok(validate.stdout.includes(`warning: ${line(key, file)}\n`), `${key}: ${validate.stdout}`);
  assert.ok(
    validate.stdout.includes(
      `warning: ${line("Telemetry.Enabled", "environment variable NETCLAW_Telemetry__Enabled")}`,
    ),
  );
  assert.doesNotMatch(validate.stdout, /Unknown configuration key/);
  assert.match(validate.stdout, /is valid\.$/m);

  const doctor = await runCli(["doctor"], env);
  assert.match(
    doctor.stdout,
    new RegExp(
      `^\\[WARN\\] Unsupported Key: Session\\.SnapshotInterval is not supported yet \\(ignored\\): set in ${file.replace(/[.]/g, "\\.")}; nothing in this version reads it$`,
      "m",
    ),
  );
  assert.match(
    doctor.stdout,
    /^ +fix: remove Session\.SnapshotInterval \(`netclaw config unset Session\.SnapshotInterval`/m,
  );
  assert.match(
    doctor.stdout,
    /^\[WARN\] Unsupported Key: Telemetry\.Enabled is not supported yet \(ignored\): set in environment variable NETCLAW_Telemetry__Enabled/m,
  );
  assert.doesNotMatch(doctor.stdout, /Unknown Key/);
});

test("config set refuses an unsupported key and writes nothing; config unset removes one", async () => {
  const { home, file } = homeWith(CONFIG);
  const env = cleanEnv({ NETCLAW_HOME: home });
  const before = readFileSync(file, "utf8");
  for (const key of [
    "Telemetry.Enabled",
    "search.enabled",
    "Tools.ShellTimeoutSeconds",
    "Providers.ol.AuthMethod",
  ]) {
    const set = await runCli(["config", "set", key, "true"], env);
    assert.equal(set.code, 1, key);
    assert.match(
      set.stderr,
      /^error: \S+ is not supported yet: this version of netclaw does not implement it, so it is not set\.$/m,
      key,
    );
    assert.match(set.stderr, /^ +fix: Leave it out; `netclaw config unset /m, key);
  }
  const get = await runCli(["config", "get", "SubAgents.Enabled"], env);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /SubAgents\.Enabled is not supported yet/);
  assert.equal(readFileSync(file, "utf8"), before);

  const unset = await runCli(["config", "unset", "subagents.enabled"], env);
  assert.equal(unset.code, 0, unset.stderr);
  assert.equal(unset.stdout, `Removed SubAgents.Enabled from ${file}.\n`);
  const after = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(after.SubAgents, undefined);
  assert.equal(after.Session.SnapshotInterval, 20, "only the named key is removed");
  assert.doesNotMatch((await runCli(["config", "validate"], env)).stdout, /SubAgents/);
});

test("netclawd starts with unsupported keys and logs each one", async () => {
  const { home, file } = homeWith(CONFIG);
  const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: home }) });
  await daemon.stop();
  const daily = readdirSync(join(home, "logs")).find((f) => f.startsWith("daemon-"))!;
  const log = readFileSync(join(home, "logs", daily), "utf8");
  for (const key of ["SubAgents.Enabled", "Session.SnapshotInterval", "McpServers.fs.GrantCategory"])
    assert.ok(log.includes(JSON.stringify(line(key, file)).slice(1, -1)), `${key} in the daemon log`);
});

test("webhooks validate warns about a route's NotificationTarget and DeliveryRequired", async () => {
  const home = homes.home();
  const dir = join(home, "config", "webhooks");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(dir, "deploys.json"),
    JSON.stringify({
      Prompt: "Summarize the deploy.",
      Verification: { Secret: "0123456789abcdef0123" },
      NotificationTarget: { Kind: "Slack", ChannelId: "C123" },
      DeliveryRequired: true,
    }),
    { mode: 0o600 },
  );
  const result = await runCli(["webhooks", "validate"], cleanEnv({ NETCLAW_HOME: home }));
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(
    result.stdout,
    "[PASS] deploys (warning: NotificationTarget is not supported yet (ignored)) (warning: DeliveryRequired is not supported yet (ignored))\n",
  );
});
