import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../config/atomic-write.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";

const UNIT_NAME = "netclaw.service";

/** Where systemd looks for user units: `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`. */
function unitPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "systemd", "user", UNIT_NAME);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() };
}

/** Why this machine cannot take a systemd user service, or undefined when it can. */
function systemdProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform !== "linux") return `systemd services are Linux-only (this is ${process.platform}).`;
  const probe = spawnSync("systemctl", ["--user", "show-environment"], { env, stdio: "ignore" });
  if (probe.error) return "systemd is not available on this machine (no `systemctl`).";
  if (probe.status !== 0)
    return "the systemd user manager is not reachable (`systemctl --user` failed; is this a systemd session?).";
  return undefined;
}

/**
 * The unit: the daemon runs under the user's systemd manager, restarts always (but not for a
 * configuration it refuses, exit 78, which would only loop), stops through the CLI so the daemon
 * drains, and reads the environment captured at install time from config/daemon.env.
 */
export function renderUnit(options: {
  node: string;
  netclawd: string;
  netclaw: string;
  envFile: string;
}): string {
  return `[Unit]
Description=netclaw daemon (netclawd)
Documentation=https://github.com/netclaw-dev/netclaw
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
EnvironmentFile=${options.envFile}
ExecStart=${options.node} --max-semi-space-size=1 ${options.netclawd}
ExecStop=${options.node} ${options.netclaw} daemon stop
Restart=always
RestartSec=5
RestartPreventExitStatus=78
TimeoutStopSec=30
KillMode=mixed

[Install]
WantedBy=default.target
`;
}

/** `netclaw daemon install`: writes the unit and daemon.env, reloads, enables and starts it, enables linger. */
export async function serviceInstall(context: CliContext): Promise<number> {
  const problem = systemdProblem(context.env);
  if (problem) {
    printError(`error: ${problem}`);
    printError(
      "       fix: run the daemon with `netclaw daemon start`, or under your own service manager (`netclawd` runs in the foreground).",
    );
    return 1;
  }
  const root = resolve(import.meta.dirname, "..", "..", "..");
  const envFile = join(context.paths.configDir, "daemon.env");
  const unit = unitPath(context.env);
  mkdirSync(context.paths.configDir, { recursive: true });
  // Only what finds the binaries and the home: NETCLAW_* settings and secrets belong in
  // netclaw.json / secrets.json, never copied into another file.
  const captured = {
    PATH: context.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    NETCLAW_HOME: context.paths.root,
    LANG: context.env.LANG ?? "C.UTF-8",
  };
  writeFileAtomic(
    envFile,
    `${Object.entries(captured)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
    { mode: 0o600, forceMode: true },
  );
  mkdirSync(join(unit, ".."), { recursive: true });
  writeFileAtomic(
    unit,
    renderUnit({
      node: process.execPath,
      netclawd: join(root, "bin", "netclawd.js"),
      netclaw: join(root, "bin", "netclaw.js"),
      envFile,
    }),
    { mode: 0o644 },
  );
  print(`Wrote ${unit} and ${envFile}.`);
  for (const args of [
    ["--user", "daemon-reload"],
    ["--user", "enable", "--now", UNIT_NAME],
  ]) {
    const result = run("systemctl", args, context.env);
    if (!result.ok) {
      printError(`error: systemctl ${args.join(" ")} failed: ${result.output}`);
      return 1;
    }
  }
  const linger = run("loginctl", ["enable-linger", userInfo().username], context.env);
  print(
    linger.ok
      ? "Enabled lingering: netclawd keeps running after you log out and starts at boot."
      : `warning: loginctl enable-linger failed (${linger.output || "not available"}); netclawd stops when you log out.`,
  );
  print(
    "netclaw.service is enabled and started. Check it with `netclaw status` or `systemctl --user status netclaw`.",
  );
  return 0;
}

/** `netclaw daemon uninstall`: stops and disables the unit, removes it and daemon.env. */
export async function serviceUninstall(context: CliContext): Promise<number> {
  const unit = unitPath(context.env);
  if (!existsSync(unit)) {
    print(`No netclaw service is installed (${unit} does not exist).`);
    return 0;
  }
  if (!readFileSync(unit, "utf8").includes("netclawd")) {
    printError(`error: ${unit} was not written by netclaw; leaving it alone.`);
    return 1;
  }
  const problem = systemdProblem(context.env);
  if (!problem) {
    const disabled = run("systemctl", ["--user", "disable", "--now", UNIT_NAME], context.env);
    if (!disabled.ok) printError(`warning: systemctl --user disable --now failed: ${disabled.output}`);
  }
  rmSync(unit, { force: true });
  rmSync(join(context.paths.configDir, "daemon.env"), { force: true });
  if (!problem) run("systemctl", ["--user", "daemon-reload"], context.env);
  print(`Removed ${unit}; netclaw.service is stopped and disabled.`);
  return 0;
}
