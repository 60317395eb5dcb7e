import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cleanEnv, freePort, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

/** A server that answers 200 "healthy" to anything: what the old `daemon start` took for its daemon. */
async function impostor(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain" }).end("healthy");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

// Issue 12 §3: `daemon start` used to print "Daemon started" when *something* answered on the port.
describe("netclaw daemon start only reports a start it has seen", () => {
  test("the port is held by another home's daemon: exit 1 with netclawd's own line and the other home", async () => {
    const other = homes.home();
    const daemon = await startDaemon({ env: cleanEnv({ NETCLAW_HOME: other }) });
    try {
      const mine = homes.home();
      const start = await runCli(
        ["daemon", "start"],
        cleanEnv({ NETCLAW_HOME: mine, NETCLAW_Daemon__Port: String(daemon.port) }),
        120_000,
      );
      assert.equal(start.code, 1, start.stdout + start.stderr);
      assert.doesNotMatch(start.stdout, /Daemon started/);
      assert.match(
        start.stderr,
        new RegExp(
          `^Daemon startup aborted: Cannot listen on 127\\.0\\.0\\.1:${daemon.port}: the address is already in use`,
          "m",
        ),
      );
      assert.match(
        start.stderr,
        new RegExp(
          `^The port is held by another netclaw home's daemon at http://127\\.0\\.0\\.1:${daemon.port}: .*${other.split("/").pop()}`,
          "m",
        ),
      );
      const status = await runCli(["daemon", "status"], cleanEnv({ NETCLAW_HOME: mine }));
      assert.equal(status.code, 1, "nothing of this home runs");
    } finally {
      await daemon.stop();
    }
  });

  test("the port answers 'healthy' but is no netclawd: exit 1, never 'Daemon started'", async () => {
    const { server, port } = await impostor();
    try {
      const start = await runCli(
        ["daemon", "start"],
        cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__Port: String(port) }),
        120_000,
      );
      assert.equal(start.code, 1, start.stdout + start.stderr);
      assert.doesNotMatch(start.stdout, /Daemon started/);
      assert.match(start.stderr, /^Daemon startup aborted: Cannot listen on .*already in use/m);
      assert.match(
        start.stderr,
        new RegExp(
          `^Something that is not this home's netclawd answers at http://127\\.0\\.0\\.1:${port} \\(HTTP 200\\)\\.`,
          "m",
        ),
      );

      // Any other command refuses to act on what answers there, too.
      const chat = await runCli(
        ["chat", "-p", "hi"],
        cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__Port: String(port) }),
      );
      assert.equal(chat.code, 1);
      assert.match(chat.stderr, /did not confirm that it serves this home/);
    } finally {
      server.close();
    }
  });

  test("an invalid configuration: exit 1 with netclawd's own abort line (trailing comma, bad variable)", async () => {
    const home = homes.home();
    mkdirSync(join(home, "config"), { recursive: true });
    writeFileSync(
      join(home, "config", "netclaw.json"),
      `{"configVersion": 1, "Daemon": {"Port": ${await freePort()}},}`,
    );
    const start = await runCli(["daemon", "start"], cleanEnv({ NETCLAW_HOME: home }), 120_000);
    assert.equal(start.code, 1, start.stdout + start.stderr);
    assert.doesNotMatch(start.stdout, /Daemon started/);
    assert.match(start.stderr, /^Daemon startup aborted: Invalid JSON in .*netclaw\.json/m);

    const env = await runCli(
      ["daemon", "start"],
      cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_Daemon__Port: "abc" }),
      120_000,
    );
    assert.equal(env.code, 1, env.stdout + env.stderr);
    assert.match(
      env.stderr,
      /^Daemon startup aborted: Invalid configuration value for Daemon\.Port in environment variable NETCLAW_Daemon__Port: "abc"/m,
    );
  });

  test("a second start while this home's daemon runs says so and starts nothing", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(await freePort()) });
    const first = await runCli(["daemon", "start"], env, 120_000);
    try {
      assert.equal(first.code, 0, first.stderr);
      const pid = /^Daemon started \(PID (\d+)\)\.$/m.exec(first.stdout)?.[1];
      assert.ok(pid, first.stdout);
      const second = await runCli(["daemon", "start"], env, 120_000);
      assert.equal(second.code, 0);
      assert.match(second.stdout, new RegExp(`^Daemon already running \\(PID ${pid}\\)\\.$`, "m"));
    } finally {
      assert.equal((await runCli(["daemon", "stop"], env, 60_000)).code, 0);
    }
  });
});
