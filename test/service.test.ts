import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, NETCLAW, NETCLAWD, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

/** Real executables named systemctl and loginctl that record their arguments (no systemd here). */
function fakeSystemd(dir: string, options: { userManager: boolean }): string {
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const log = join(dir, "calls.log");
  for (const name of ["systemctl", "loginctl"]) {
    const script = join(bin, name);
    const fail =
      name === "systemctl" && !options.userManager ? 'case "$*" in *show-environment*) exit 1;; esac\n' : "";
    writeFileSync(script, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${fail}exit 0\n`);
    chmodSync(script, 0o755);
  }
  return bin;
}

test("daemon install writes the unit and daemon.env, reloads, enables, lingers; uninstall reverses it", async () => {
  const home = homes.home();
  const dir = homes.home();
  const bin = fakeSystemd(dir, { userManager: true });
  const env = cleanEnv({
    NETCLAW_HOME: home,
    XDG_CONFIG_HOME: join(dir, "xdg"),
    PATH: `${bin}:/usr/bin:/bin`,
    NETCLAW_Providers__x__ApiKey: "sk-secret-value",
  });
  const installed = await runCli(["daemon", "install"], env);
  assert.equal(installed.code, 0, installed.stderr);
  const unit = readFileSync(join(dir, "xdg", "systemd", "user", "netclaw.service"), "utf8");
  assert.match(unit, new RegExp(`^ExecStart=${process.execPath} --max-semi-space-size=1 ${NETCLAWD}$`, "m"));
  assert.match(unit, new RegExp(`^ExecStop=${process.execPath} ${NETCLAW} daemon stop$`, "m"));
  assert.match(unit, /^Restart=always$/m);
  assert.match(unit, /^RestartPreventExitStatus=78$/m);
  assert.match(unit, new RegExp(`^EnvironmentFile=${join(home, "config", "daemon.env")}$`, "m"));
  assert.match(unit, /^WantedBy=default.target$/m);
  const envFile = join(home, "config", "daemon.env");
  assert.equal(statSync(envFile).mode & 0o777, 0o600);
  const captured = readFileSync(envFile, "utf8");
  assert.match(captured, new RegExp(`^NETCLAW_HOME=${home}$`, "m"));
  assert.match(captured, /^PATH=/m);
  assert.ok(!captured.includes("sk-secret-value"), "secrets from the environment are never written");
  assert.deepEqual(readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n"), [
    "systemctl --user show-environment",
    "systemctl --user daemon-reload",
    "systemctl --user enable --now netclaw.service",
    `loginctl enable-linger ${process.env.USER ?? "root"}`,
  ]);

  const removed = await runCli(["daemon", "uninstall"], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.ok(!existsSync(join(dir, "xdg", "systemd", "user", "netclaw.service")));
  assert.ok(!existsSync(envFile));
  assert.match(
    readFileSync(join(dir, "calls.log"), "utf8"),
    /systemctl --user disable --now netclaw\.service\nsystemctl --user daemon-reload/,
  );
});

test("without systemd: a clear message, exit 1, nothing written", async () => {
  const home = homes.home();
  const dir = homes.home();
  for (const PATH of ["/nonexistent", `${fakeSystemd(dir, { userManager: false })}:/usr/bin:/bin`]) {
    const result = await runCli(
      ["daemon", "install"],
      cleanEnv({ NETCLAW_HOME: home, XDG_CONFIG_HOME: join(dir, "xdg"), PATH }),
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: (systemd is not available on this machine \(no `systemctl`\)|the systemd user manager is not reachable)/m,
    );
    assert.match(result.stderr, /fix: run the daemon with `netclaw daemon start`/);
    assert.ok(!existsSync(join(dir, "xdg")));
    assert.ok(!existsSync(join(home, "config", "daemon.env")));
  }
});
