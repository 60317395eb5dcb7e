import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { cleanEnv, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream();
});
after(async () => {
  homes.cleanup();
  await fake.close();
});

async function statusAt(
  port: number,
): Promise<{ pid: number; model: { state: string; modelId?: string } } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/health/status`, {
      signal: AbortSignal.timeout(1000),
    });
    if (response.status !== 200) return undefined;
    const body = (await response.json()) as {
      process: { pid: number };
      model: { state: string; modelId?: string };
    };
    return { pid: body.process.pid, model: body.model };
  } catch {
    return undefined;
  }
}

async function startedAt(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/health/status`, {
      signal: AbortSignal.timeout(1000),
    });
    return response.status === 200
      ? ((await response.json()) as { process: { startedAt: string } }).process.startedAt
      : undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(
  probe: () => Promise<T | undefined>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && accept(value)) return value;
    if (Date.now() > deadline) assert.fail("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a valid settings change is applied by restarting in place; the PID stays", async () => {
  const home = homes.home();
  const env = cleanEnv({ NETCLAW_HOME: home });
  const daemon = await startDaemon({ env });
  const cli = { ...env, NETCLAW_Daemon__Port: String(daemon.port) };
  try {
    assert.equal((await statusAt(daemon.port))?.model.state, "none");
    assert.equal((await runCli(["provider", "add", "ol", "ollama", "--endpoint", fake.url], cli)).code, 0);
    assert.equal((await runCli(["model", "set", "main", "ol", "qwen3:0.6b"], cli)).code, 0);
    const after = await until(
      () => statusAt(daemon.port),
      (s) => s.model.state === "valid",
    );
    assert.equal(after.model.modelId, "qwen3:0.6b");
    assert.equal(after.pid, daemon.child.pid, "restarted in place");
    const chat = await runCli(["chat", "-p", "after reload"], cli);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stdout, /echo: after reload/);

    // A Daemon.* change needs a full restart: unsupervised, that happens in place too.
    const before = await startedAt(daemon.port);
    assert.equal((await runCli(["config", "set", "Daemon.UpdateCheckIntervalHours", "12"], cli)).code, 0);
    const restarted = await until(
      () => startedAt(daemon.port),
      (at) => at !== before,
    );
    assert.ok(before !== undefined && restarted > before);
    assert.equal((await statusAt(daemon.port))?.pid, daemon.child.pid);
  } finally {
    daemon.child.kill("SIGTERM");
    await daemon.exited;
  }
  assert.match(daemon.stderr(), /netclawd restarting to apply the new configuration\./);
});

test("an invalid change is logged and ignored; the running configuration stays", async () => {
  const home = homes.home();
  const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: home }) });
  try {
    writeFileSync(
      join(home, "config", "netclaw.json"),
      '{"configVersion":1,"Daemon":{"ExposureMode":"public"}}',
    );
    await until(
      async () => daemon.stderr(),
      (text) => text.includes("Configuration change ignored"),
    );
    assert.match(
      daemon.stderr(),
      /Configuration change ignored \(the running configuration stays\): Unknown ExposureMode value: 'public'/,
    );
    const status = await statusAt(daemon.port);
    assert.equal(status?.pid, daemon.child.pid);
    writeFileSync(join(home, "config", "netclaw.json"), "{not json");
    await until(
      async () => daemon.stderr(),
      (text) => text.includes("Invalid JSON in"),
    );
    assert.equal((await fetch(`${daemon.url}/api/health/ready`)).status, 200);
  } finally {
    await daemon.stop();
  }
});

test("a stop signal during a configuration restart stops the daemon instead of restarting it", async () => {
  const home = homes.home();
  const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: home }) });
  writeFileSync(
    join(home, "config", "netclaw.json"),
    '{"configVersion":1,"Session":{"KeepRecentToolResults":4}}',
  );
  await new Promise((resolve) => setTimeout(resolve, 450)); // just before the 500 ms debounce settles
  let exited = false;
  void daemon.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    daemon.child.kill("SIGTERM"); // across drain, re-exec and the new image's start
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(exited, "the daemon kept running");
});

test("under a container supervisor a Daemon.* change exits so the supervisor restarts it", async () => {
  const home = homes.home();
  const daemon = await startDaemon({
    env: cleanEnv({ NETCLAW_HOME: home, NETCLAW_CONTAINER_SUPERVISOR: "entrypoint" }),
  });
  writeFileSync(
    join(home, "config", "netclaw.json"),
    '{"configVersion":1,"Daemon":{"UpdateCheckIntervalHours":12}}',
  );
  const exit = await daemon.exited;
  assert.equal(exit.code, 0);
});
