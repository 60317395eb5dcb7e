import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { cleanEnv, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

test("backup create while the daemon runs, then restore with it stopped", async () => {
  const home = homes.home();
  const out = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home });
  // Written before the daemon starts: a running daemon would apply a netclaw.json change by
  // restarting itself, which is not what this test is about.
  for (const dir of ["config", "identity", "keys"])
    mkdirSync(join(home, dir), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, "config", "netclaw.json"), '{"configVersion":1,"Daemon":{"Port":5199}}\n');
  writeFileSync(join(home, "identity", "SOUL.md"), "original soul\n");
  writeFileSync(join(home, "keys", "secrets.key"), "k".repeat(32), { mode: 0o600 });
  const daemon = await startDaemon({ env });
  const cliEnv = { ...env, NETCLAW_Daemon__Port: String(daemon.port) };
  const archive = join(out, "b.tar.gz");
  try {
    const created = await runCli(["backup", "create", archive], cliEnv);
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      /^Backup written to .*b\.tar\.gz \(config\/, identity\/, keys\/, schedules\/, sessions\/netclaw\.db, memory\/netclaw-memory\.db;/m,
    );
    assert.equal(statSync(archive).mode & 0o777, 0o600);
    const again = await runCli(["backup", "create", archive], cliEnv);
    assert.equal(again.code, 1, "never overwrites");

    const refused = await runCli(["backup", "restore", archive], cliEnv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /netclawd is running; stop it first/);
  } finally {
    await daemon.stop();
  }
  const listing = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" });
  for (const entry of [
    "./manifest.json",
    "./config/netclaw.json",
    "./identity/SOUL.md",
    "./keys/secrets.key",
    "./sessions/netclaw.db",
    "./memory/netclaw-memory.db",
  ]) {
    assert.ok(listing.split("\n").includes(entry), entry);
  }

  // Damage the live home, then restore.
  writeFileSync(join(home, "config", "netclaw.json"), '{"broken":');
  writeFileSync(join(home, "identity", "SOUL.md"), "changed\n");
  const restored = await runCli(["backup", "restore", archive], env);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /^What it replaced was saved to .*backups\/pre-restore-.*\.tar\.gz\.$/m);
  assert.equal(
    readFileSync(join(home, "config", "netclaw.json"), "utf8"),
    '{"configVersion":1,"Daemon":{"Port":5199}}\n',
  );
  assert.equal(readFileSync(join(home, "identity", "SOUL.md"), "utf8"), "original soul\n");
  assert.equal(statSync(join(home, "keys")).mode & 0o777, 0o700);
  assert.equal(statSync(join(home, "keys", "secrets.key")).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, "config", "secrets.json")).mode & 0o777, 0o600);
  const safety = readdirSync(join(home, "backups"));
  assert.equal(safety.length, 1);
  const saved = execFileSync("tar", ["-xzOf", join(home, "backups", safety[0]!), "./identity/SOUL.md"], {
    encoding: "utf8",
  });
  assert.equal(saved, "changed\n", "the replaced state was saved first");
  const db = new DatabaseSync(join(home, "sessions", "netclaw.db"), { readOnly: true });
  try {
    assert.ok((db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v >= 1);
  } finally {
    db.close();
  }
  const memory = new DatabaseSync(join(home, "memory", "netclaw-memory.db"), { readOnly: true });
  try {
    assert.equal((memory.prepare("SELECT COUNT(*) AS n FROM memory_items").get() as { n: number }).n, 0);
  } finally {
    memory.close();
  }
  const daemon2 = await startDaemon({ env });
  assert.equal((await fetch(`${daemon2.url}/api/health/ready`)).status, 200);
  await daemon2.stop();
});

test("restore refuses archives that are not netclaw backups", async () => {
  const home = homes.home();
  const dir = homes.home();
  writeFileSync(join(dir, "x.txt"), "x");
  const bogus = join(dir, "bogus.tar.gz");
  execFileSync("tar", ["-czf", bogus, "-C", dir, "x.txt"]);
  const result = await runCli(["backup", "restore", bogus], cleanEnv({ NETCLAW_HOME: home }));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /is not a netclaw backup: it has no manifest\.json\./);
  assert.ok(!existsSync(join(home, "backups")), "nothing was touched");
});
