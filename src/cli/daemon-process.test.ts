import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { inspectDaemonProcess } from "./daemon-process.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-daemon-process-"));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** A live process: `argv` as given; when `hold` is set it keeps that file open, then says so. */
async function live(argv: string[], hold?: string): Promise<number> {
  const script = `${hold ? `require("node:fs").openSync(${JSON.stringify(hold)}, "r");` : ""}process.stdout.write("up\\n");setInterval(() => {}, 1e6);`;
  const child = spawn(process.execPath, ["-e", script, ...argv], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(child);
  await once(child.stdout!, "data");
  return child.pid!;
}

function lockFile(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "");
  return path;
}

describe("inspectDaemonProcess", { skip: process.platform !== "linux" && "needs /proc" }, () => {
  test("a netclawd holding this home's lock is ours; holding another home's is not", async () => {
    const mine = lockFile("mine.lock");
    const theirs = lockFile("theirs.lock");
    const pid = await live(["netclawd"], mine);
    assert.deepEqual(inspectDaemonProcess(pid, { lockFile: mine }), { kind: "ours" });
    assert.equal(inspectDaemonProcess(pid, { lockFile: theirs }).kind, "other-netclawd");
    assert.equal(inspectDaemonProcess(pid, { lockFile: join(dir, "missing.lock") }).kind, "other-netclawd");
  });

  test("a process holding the lock whose command is not netclawd is not ours (a reused pid)", async () => {
    const mine = lockFile("held-by-other.lock");
    const pid = await live(["something-else"], mine);
    const found = inspectDaemonProcess(pid, { lockFile: mine });
    assert.equal(found.kind, "not-netclawd");
    assert.match((found as { command: string }).command, /something-else/);
  });

  test("an unrelated sleep is not netclawd; a dead pid is gone", async () => {
    const sleeper = spawn("sleep", ["600"], { stdio: "ignore" });
    children.push(sleeper);
    await once(sleeper, "spawn");
    assert.deepEqual(inspectDaemonProcess(sleeper.pid!, { lockFile: lockFile("x.lock") }), {
      kind: "not-netclawd",
      command: "sleep 600",
    });
    sleeper.kill("SIGKILL");
    await once(sleeper, "exit");
    assert.equal(inspectDaemonProcess(sleeper.pid!, { lockFile: lockFile("x.lock") }).kind, "gone");
  });

  test("without a readable /proc nothing is ours (fail closed)", async () => {
    const mine = lockFile("noproc.lock");
    const pid = await live(["netclawd"], mine);
    const found = inspectDaemonProcess(pid, { lockFile: mine, procRoot: join(dir, "no-proc") });
    assert.equal(found.kind, "unverifiable");
  });
});
