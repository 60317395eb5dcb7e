import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { homePaths } from "../src/config/home.ts";
import { cleanEnv, NETCLAWD, runCli, runCommand, startDaemon, tempHomes } from "./helpers/processes.ts";
import { namespacesAvailable, PID_NAMESPACE, storedDeviceToken } from "./helpers/remote.ts";

// The tunnel-process probe reads /proc, which is shared by everything on this machine. Each
// daemon here runs in its own PID namespace with a fresh /proc, so a stand-in `tailscaled`
// (a copy of /bin/sleep under that name) is seen by exactly one daemon, and "none running" is
// true even if other tests or developers run stand-ins at the same time.

const homes = tempHomes();
const bin = homes.home();
after(() => homes.cleanup());

function standIn(name: string): string {
  const path = join(bin, name);
  if (!existsSync(path)) copyFileSync("/bin/sleep", path);
  return path;
}

const withProcess = (name: string) => [...PID_NAMESPACE, "sh", "-c", '"$0" 600 & exec "$@"', standIn(name)];
const env = (home: string, mode: string) =>
  cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__ExposureMode: mode });

async function waitGone(path: string): Promise<void> {
  for (let i = 0; i < 200 && existsSync(path); i++) await sleep(25);
  assert.ok(!existsSync(path), `${path} still exists`);
}

describe(
  "tunnel exposure modes",
  { skip: !namespacesAvailable() && "PID namespaces are not available" },
  () => {
    before(() => {
      standIn("tailscaled");
      standIn("cloudflared");
    });

    for (const [mode, processName] of [
      ["tailscale-serve", "tailscaled"],
      ["tailscale-funnel", "tailscaled"],
      ["cloudflare-tunnel", "cloudflared"],
    ] as const) {
      test(`${mode} without '${processName}' refuses to start, before seeding anything`, async () => {
        const home = homes.home();
        const result = await runCommand(
          "unshare",
          ["-rpf", "--mount-proc", process.execPath, NETCLAWD],
          env(home, mode),
        );
        assert.equal(result.code, 78);
        assert.ok(
          result.stderr.includes(
            `Daemon startup aborted: Tunnel prerequisite not met: ExposureMode='${mode}' requires '${processName}' to be running unless Daemon.SkipTunnelProcessCheck=true is explicitly set for a sidecar or host-managed tunnel topology. Remediation: Start '${processName}' locally, or set Daemon.SkipTunnelProcessCheck=true only when the tunnel is intentionally managed outside the Netclaw process namespace.`,
          ),
          result.stderr,
        );
        assert.equal(readFileSync(homePaths(home).devicesFile, "utf8").trim(), "[]");
        assert.equal(existsSync(homePaths(home).bootstrapStateFile), false);
      });
    }

    test("with a running 'tailscaled': the first start seeds the bootstrap device once; status works through it", async () => {
      const home = homes.home();
      const paths = homePaths(home);
      const daemon = await startDaemon({
        env: env(home, "tailscale-serve"),
        prefix: withProcess("tailscaled"),
        stopSignal: "SIGKILL",
      });
      const name = `${hostname()}-bootstrap`;
      try {
        assert.match(daemon.stderr(), /exposure tailscale-serve/);
        const devices = JSON.parse(readFileSync(paths.devicesFile, "utf8")) as {
          Name: string;
          IsBootstrapDevice: boolean;
        }[];
        assert.deepEqual(
          devices.map((d) => [d.Name, d.IsBootstrapDevice]),
          [[name, true]],
        );
        const secrets = JSON.parse(readFileSync(paths.secretsFile, "utf8")) as { DeviceToken: string };
        assert.match(secrets.DeviceToken, /^ENC:v1:/, "stored encrypted");
        const token = storedDeviceToken(home)!;
        const state = JSON.parse(readFileSync(paths.bootstrapStateFile, "utf8"));
        assert.equal(state.HasCompletedFirstSuccessfulNonLocalStart, true);
        assert.ok(!Number.isNaN(Date.parse(state.CompletedAt)));
        for (const file of [paths.devicesFile, paths.secretsFile])
          assert.equal(statSync(file).mode & 0o777, 0o600, file);
        assert.equal(statSync(paths.keysDir).mode & 0o777, 0o700);

        const cliEnv = { ...env(home, "tailscale-serve"), NETCLAW_Daemon__Port: String(daemon.port) };
        const status = await runCli(["status"], cliEnv);
        assert.match(status.stdout, /exposure\s+tailscale-serve/, status.stdout + status.stderr);
        assert.notEqual(status.code, 1, status.stdout);
        const log = readFileSync(join(paths.logsDir, readLogName(paths.logsDir)), "utf8");
        assert.ok(log.includes(`Seeded bootstrap paired device '${name}' for first non-local daemon start.`));
        assert.ok(!log.includes(token) && !daemon.stderr().includes(token), "the token is never logged");
      } finally {
        await daemon.stop();
        await waitGone(paths.pidFile);
      }

      // Never again: with the bootstrap device revoked, a later start has no remote auth and refuses.
      const revoke = await runCli(["daemon", "devices", "revoke", name], env(home, "tailscale-serve"));
      assert.equal(revoke.code, 0, revoke.stderr);
      writeFileSync(paths.secretsFile, "{}\n", { mode: 0o600 });
      const again = await runCommand(
        "unshare",
        [...withProcess("tailscaled").slice(1), process.execPath, NETCLAWD],
        {
          ...env(home, "tailscale-serve"),
        },
      );
      assert.equal(again.code, 78, again.stderr);
      assert.match(
        again.stderr,
        /No remote authentication available: ExposureMode='tailscale-serve' requires either at least one paired device or an alternative remote auth scheme\./,
      );
      assert.equal(readFileSync(paths.devicesFile, "utf8").trim(), "[]", "no second bootstrap device");
      assert.equal(storedDeviceToken(home), undefined);
    });

    test("cloudflare-tunnel with a running 'cloudflared' starts", async () => {
      const home = homes.home();
      const daemon = await startDaemon({
        env: env(home, "cloudflare-tunnel"),
        prefix: withProcess("cloudflared"),
        stopSignal: "SIGKILL",
      });
      try {
        assert.match(daemon.stderr(), /exposure cloudflare-tunnel/);
      } finally {
        await daemon.stop();
        await waitGone(homePaths(home).pidFile);
      }
    });
  },
);

function readLogName(dir: string): string {
  return readdirSync(dir).find((file) => file.startsWith("daemon-"))!;
}
