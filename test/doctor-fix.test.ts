import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

/** A home with every fixable problem: no configVersion, loose modes, a plaintext key, a stale pid. */
function brokenHome(): string {
  const home = homes.home();
  for (const dir of ["config", "keys"]) mkdirSync(join(home, dir));
  chmodSync(join(home, "keys"), 0o755);
  // Otherwise startable (the daemon would run with it): only such a file gets configVersion added.
  writeFileSync(
    join(home, "config", "netclaw.json"),
    '{"Daemon":{"Port":5199},"Providers":{"openrouter":{"Type":"openrouter"}}}',
  );
  writeFileSync(
    join(home, "config", "secrets.json"),
    '{"Providers":{"openrouter":{"ApiKey":"sk-or-v1-plaintext"}}}',
    { mode: 0o644 },
  );
  chmodSync(join(home, "config", "secrets.json"), 0o644);
  writeFileSync(join(home, "netclaw.pid"), "999999\n2026-01-01T00:00:00.000Z\n");
  return home;
}

test("doctor --fix --dry-run shows the plan and changes nothing", async () => {
  const home = brokenHome();
  const before = readFileSync(join(home, "config", "secrets.json"), "utf8");
  const result = await runCli(
    ["doctor", "--fix", "--dry-run"],
    cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: "1" }),
  );
  assert.match(result.stdout, /^Planned fixes:$/m);
  assert.match(result.stdout, /netclaw\.json: add "configVersion": 1$/m);
  assert.match(result.stdout, /secrets\.json: restrict permissions to 600$/m);
  assert.match(result.stdout, /secrets\.json: encrypt Providers\.openrouter\.ApiKey: plaintext → ENC:v1:…$/m);
  assert.match(
    result.stdout,
    /netclaw\.pid: remove the stale pid file \(process 999999 is not a running netclawd\)$/m,
  );
  assert.match(
    result.stdout,
    /^\[WARN\] Secrets File: .*plaintext value\(s\): Providers\.openrouter\.ApiKey/m,
  );
  assert.equal(readFileSync(join(home, "config", "secrets.json"), "utf8"), before);
  assert.ok(existsSync(join(home, "netclaw.pid")));
  assert.ok(!existsSync(join(home, "backups")));
});

test("doctor --fix without --yes on a non-terminal refuses; with --yes it backs up, repairs and re-checks", async () => {
  const home = brokenHome();
  const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: "1" });
  const refused = await runCli(["doctor", "--fix"], env); // stdin closes without an answer
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /Apply these fixes\? \[y\/N\]: \nNo changes made\./);

  const fixed = await runCli(["doctor", "--fix", "--yes", "--json"], env);
  const report = JSON.parse(fixed.stdout);
  assert.ok(report.fix.changedFiles.includes(join(home, "config", "secrets.json")));
  assert.ok(report.fix.files.length >= 5);
  const secrets = readFileSync(join(home, "config", "secrets.json"), "utf8");
  assert.ok(!secrets.includes("sk-or-v1-plaintext"));
  assert.match(secrets, /"ApiKey": "ENC:v1:/);
  assert.equal(statSync(join(home, "config", "secrets.json")).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, "keys")).mode & 0o777, 0o700);
  assert.equal(JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8")).configVersion, 1);
  assert.ok(!existsSync(join(home, "netclaw.pid")));
  for (const dir of ["identity", "sessions", "logs", "client"]) assert.ok(existsSync(join(home, dir)), dir);
  const again2 = await runCli(["doctor", "--fix", "--yes"], env); // identity/ exists now: its files get seeded
  assert.match(again2.stdout, /identity\/SOUL\.md: write the default identity\/SOUL\.md/);
  for (const file of ["SOUL.md", "AGENTS.md", "TOOLING.md"])
    assert.ok(existsSync(join(home, "identity", file)), file);
  const backup = report.fix.backup as string;
  const saved = readdirSync(backup);
  assert.ok(saved.includes("config__secrets.json"));
  assert.match(
    readFileSync(join(backup, "config__secrets.json"), "utf8"),
    /sk-or-v1-plaintext/,
    "the original was saved first",
  );
  assert.equal(statSync(join(backup, "config__secrets.json")).mode & 0o777, 0o600);
  const encryption = report.checks.find((c: { name: string }) => c.name === "Secrets File");
  assert.equal(encryption.severity, "pass");

  const again = await runCli(["doctor", "--fix", "--dry-run"], env);
  assert.match(again.stdout, /^Nothing to fix\.$/m);
  const loaded = await runCli(["config", "get", "Providers.openrouter.ApiKey"], env);
  assert.equal(loaded.stdout, "(set — secrets are never printed)\n");
});

test("invalid JSON is reported, never rewritten", async () => {
  const home = homes.home();
  mkdirSync(join(home, "config"));
  writeFileSync(join(home, "config", "netclaw.json"), "{oops");
  const result = await runCli(
    ["doctor", "--fix", "--yes"],
    cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: "1" }),
  );
  assert.equal(result.code, 1);
  assert.equal(readFileSync(join(home, "config", "netclaw.json"), "utf8"), "{oops");
});

// One validation: doctor --fix writes netclaw.json only through the check the daemon starts with,
// so a file the daemon refuses for another reason is named by the checks and left byte for byte.
test("a configuration the daemon refuses gets no configVersion rewrite", async () => {
  const variants = [
    '{"Daemon":{"Port":5199},"Providers":{"openrouter":{}}}', // a provider without Type
    '{"Daemon":{"ExposureMode":"reverse-proxy"}}', // loopback behind a proxy, no trusted proxies
    '{"Models":{"Main":{"Provider":"ghost","ModelId":"m"}}}', // a role naming no provider
  ];
  for (const text of variants) {
    const home = homes.home();
    mkdirSync(join(home, "config"));
    writeFileSync(join(home, "config", "netclaw.json"), text);
    const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: "1" });
    const result = await runCli(["doctor", "--fix", "--yes"], env);
    assert.equal(result.code, 1, text);
    assert.doesNotMatch(result.stdout, /configVersion/, text);
    assert.match(result.stdout, /^\[FAIL\] /m, text);
    assert.equal(readFileSync(join(home, "config", "netclaw.json"), "utf8"), text);
  }
});
