import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { homePaths } from "../src/config/home.ts";
import {
  cleanEnv,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempHomes,
} from "./helpers/processes.ts";

const homes = tempHomes();
const strays: ChildProcess[] = [];
after(() => {
  for (const child of strays) child.kill("SIGKILL");
  homes.cleanup();
});

/** A live process that is not this home's daemon; killed after the file. */
async function stray(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: "ignore" });
  strays.push(child);
  await once(child, "spawn");
  return child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A home whose netclaw.pid names `pid` and, when given, an endpoint. */
async function homeWithPidFile(pid: number, endpoint?: string): Promise<NodeJS.ProcessEnv> {
  const home = homes.home();
  mkdirSync(join(home, "config"), { recursive: true });
  const lines = [pid, new Date().toISOString(), ...(endpoint ? [endpoint] : [])];
  writeFileSync(homePaths(home).pidFile, `${lines.join("\n")}\n`);
  return cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(await freePort()) });
}

// `netclaw daemon stop` signals only a process verified as this home's netclawd: the pid in
// netclaw.pid may have been reused, or copied from another home, or name another home's daemon.
describe("netclaw daemon stop never signals what is not this home's netclawd", () => {
  let other: { home: string; daemon: RunningDaemon };
  before(async () => {
    const home = homes.home();
    other = { home, daemon: await startDaemon({ env: cleanEnv({ NETCLAW_HOME: home }) }) };
  });
  after(async () => {
    await other?.daemon.stop();
  });

  test(
    "a pid file naming an unrelated sleep: not killed, named, exit 1",
    { skip: !process.platform.startsWith("linux") },
    async () => {
      const sleeper = await stray("sleep", ["600"]);
      const env = await homeWithPidFile(sleeper.pid!);
      const stop = await runCli(["daemon", "stop"], env, 60_000);
      assert.equal(stop.code, 1, stop.stdout);
      assert.match(
        stop.stderr,
        new RegExp(`PID ${sleeper.pid} from netclaw.pid is not netclawd but \`sleep 600\``),
      );
      assert.match(stop.stderr, /it was not signalled/);
      assert.doesNotMatch(stop.stdout, /Daemon stopped/);
      assert.ok(alive(sleeper.pid!), "the sleep process was signalled");
    },
  );

  test("a process whose command line merely mentions netclawd: not killed", async () => {
    const fake = await stray(process.execPath, ["-e", "setInterval(() => {}, 1e6)", "netclawd"]);
    const env = await homeWithPidFile(fake.pid!);
    const stop = await runCli(["daemon", "stop"], env, 60_000);
    assert.equal(stop.code, 1, stop.stdout);
    assert.match(stop.stderr, /does not hold this home's netclaw.lock, so it serves another home/);
    assert.ok(alive(fake.pid!), "the stray process was signalled");
  });

  test("another home's daemon, named by a copied pid file (its endpoint too): not stopped", async () => {
    const home = homes.home();
    mkdirSync(join(home, "config"), { recursive: true });
    copyFileSync(homePaths(other.home).pidFile, homePaths(home).pidFile);
    const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(other.daemon.port) });
    const stop = await runCli(["daemon", "stop"], env, 60_000);
    assert.equal(stop.code, 1, stop.stdout);
    assert.match(stop.stderr, new RegExp(`PID ${other.daemon.child.pid} from netclaw.pid is a netclawd`));
    assert.ok(alive(other.daemon.child.pid!), "the other home's daemon was signalled");
    const ready = await fetch(`${other.daemon.url}/api/health/ready`);
    assert.equal(ready.status, 200, "the other home's daemon was shut down through its API");
  });

  test("a pid file naming a stray while another home's daemon answers at its endpoint: nothing stopped", async () => {
    const fake = await stray(process.execPath, ["-e", "setInterval(() => {}, 1e6)", "netclawd"]);
    const env = await homeWithPidFile(fake.pid!, other.daemon.url);
    const stop = await runCli(["daemon", "stop"], env, 60_000);
    assert.equal(stop.code, 1, stop.stdout);
    assert.ok(alive(fake.pid!), "the stray process was signalled");
    assert.ok(alive(other.daemon.child.pid!), "the other home's daemon was stopped");
    assert.equal((await fetch(`${other.daemon.url}/api/health/ready`)).status, 200);
    assert.match(
      readFileSync(homePaths(other.home).pidFile, "utf8"),
      new RegExp(`^${other.daemon.child.pid}\n`),
    );
  });
});

describe("netclaw daemon status says running only for this home's verified netclawd", () => {
  test("a pid file naming a stray netclawd-looking process or a sleep: not running", async () => {
    const fake = await stray(process.execPath, ["-e", "setInterval(() => {}, 1e6)", "netclawd"]);
    for (const pid of [fake.pid!, (await stray("sleep", ["600"])).pid!]) {
      const status = await runCli(["daemon", "status"], await homeWithPidFile(pid), 60_000);
      assert.equal(status.code, 1, status.stdout);
      assert.match(status.stdout, /^Daemon is not running\.$/m);
      assert.doesNotMatch(status.stdout, /Daemon running/);
    }
  });
});
