import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { type Installed, packAndInstall } from "./helpers/pack.ts";
import { cleanEnv, freePort, runCommand, tempHome } from "./helpers/processes.ts";

let installed: Installed | undefined;
after(() => {
  if (installed) rmSync(join(installed.prefix, ".."), { recursive: true, force: true });
});

test(
  "npm pack → npm install -g → netclaw --version and netclawd run from compiled JavaScript",
  { timeout: 240_000 },
  async () => {
    installed = packAndInstall();
    const files = execFileSync("tar", ["-tzf", installed.tarball], { encoding: "utf8" }).split("\n");
    assert.ok(files.includes("package/dist/cli/main.js"), "compiled CLI is packed");
    assert.ok(files.includes("package/dist/daemon/store/migrations/001_init.sql"), "migrations are packed");
    assert.ok(files.includes("package/netclaw-config.v1.schema.json"), "the config schema is packed");
    assert.ok(
      !files.some((f) => f.startsWith("package/src/") || f.startsWith("package/test/")),
      "no sources or tests",
    );
    const pkgDir = join(installed.prefix, "lib", "node_modules", "netclaw");
    assert.ok(!existsSync(join(pkgDir, "src")), "installed package runs dist/");

    const env = cleanEnv({ PATH: `${join(installed.prefix, "bin")}:${process.env.PATH}` });
    const version = await runCommand(installed.netclaw, ["--version"], env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^netclaw \d+\.\d+\.\d+\S* \(commit (\w{7}|unknown)\)\n$/);

    const { home, cleanup } = tempHome();
    try {
      const port = await freePort();
      const daemonEnv = { ...env, NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(port) };
      const start = await runCommand(installed.netclaw, ["daemon", "start"], daemonEnv);
      assert.equal(start.code, 0, start.stdout + start.stderr);
      const status = await runCommand(installed.netclaw, ["status", "--json"], daemonEnv);
      assert.equal(JSON.parse(status.stdout).exposure.port, port);
      const stop = await runCommand(installed.netclaw, ["daemon", "stop"], daemonEnv);
      assert.equal(stop.code, 0, stop.stderr);
    } finally {
      cleanup();
    }
  },
);
