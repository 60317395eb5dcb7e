import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { homePaths } from "../src/config/home.ts";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { startChatDaemon } from "./helpers/chat-daemon.ts";
import { cleanEnv, type RunningDaemon, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const homeId = (home: string) => readFileSync(homePaths(home).homeIdFile, "utf8").trim();

// Issue 12 §3: a CLI of home A whose endpoint leads to home B's daemon (a broken or copied config,
// a port pointing at B) must refuse before sending anything, and B must not act on it.
describe("the CLI of one home never talks to another home's daemon", () => {
  let upstream: FakeUpstream;
  let a: { home: string; daemon: RunningDaemon };
  let b: { home: string; daemon: RunningDaemon };
  before(async () => {
    upstream = await createFakeUpstream({ handler: () => "answer from B" });
    const [homeA, homeB] = [homes.home(), homes.home()];
    a = { home: homeA, daemon: (await startChatDaemon({ home: homeA, upstream })).daemon };
    b = { home: homeB, daemon: (await startChatDaemon({ home: homeB, upstream })).daemon };
  });
  after(async () => {
    await a?.daemon.stop();
    await b?.daemon.stop();
    await upstream?.close();
  });

  /** B's sessions, asked as B's own CLI: proof that nothing reached it. */
  async function sessionsOfB(): Promise<string> {
    const result = await runCli(
      ["sessions"],
      cleanEnv({ NETCLAW_HOME: b.home, NETCLAW_Daemon__Port: String(b.daemon.port) }),
    );
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  test("A's port setting pointing at B: chat -p is refused, B gets no session and no model call", async () => {
    const env = cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_Daemon__Port: String(b.daemon.port) });
    const chat = await runCli(["chat", "-p", "secret plans for A"], env);
    assert.equal(chat.code, 1, chat.stdout + chat.stderr);
    assert.match(
      chat.stderr,
      new RegExp(
        `The daemon at http://127\\.0\\.0\\.1:${b.daemon.port} is not the one this netclaw home uses`,
      ),
    );
    assert.match(
      chat.stderr,
      new RegExp(`serves the netclaw home ${b.home.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    assert.match(chat.stderr, /fix: start this home's daemon with `netclaw daemon start`/);
    assert.equal(chat.stdout, "");
    assert.equal(await sessionsOfB(), "No sessions found.\n");
    assert.equal(upstream.requests.filter((r) => r.lastUserText === "secret plans for A").length, 0);
  });

  test("status, sessions and reminder list all refuse B (exit 1), naming the endpoint", async () => {
    const env = cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_Daemon__Port: String(b.daemon.port) });
    const status = await runCli(["status"], env);
    assert.equal(status.code, 1);
    assert.match(
      status.stdout,
      /^\[FAIL\] status: The daemon at http:\/\/127\.0\.0\.1:\d+ is not the one this netclaw home uses/,
    );
    assert.doesNotMatch(status.stdout, /netclaw status: healthy/);
    const json = await runCli(["status", "--json"], env);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).overall, "unreachable");
    for (const args of [["sessions"], ["reminder", "list"]]) {
      const result = await runCli(args, env);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout + result.stderr, /is not the one this netclaw home uses/);
    }
  });

  test("a fresh home (no daemon ever started there) is refused by B too", async () => {
    const fresh = homes.home();
    const result = await runCli(
      ["chat", "-p", "hello?"],
      cleanEnv({ NETCLAW_HOME: fresh, NETCLAW_Daemon__Port: String(b.daemon.port) }),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not the one this netclaw home uses/);
    assert.equal(await sessionsOfB(), "No sessions found.\n");
  });

  test("A's netclaw.json naming B's port (a copied config) is refused the same way", async () => {
    const copy = homes.home();
    mkdirSync(join(copy, "config"), { recursive: true });
    writeFileSync(
      join(copy, "config", "netclaw.json"),
      JSON.stringify({ configVersion: 1, Daemon: { Port: b.daemon.port } }),
    );
    const result = await runCli(["status"], cleanEnv({ NETCLAW_HOME: copy }));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /is not the one this netclaw home uses/);
  });

  test("an unreadable configuration is an error naming the file or variable, never a fallback", async () => {
    const broken = homes.home();
    mkdirSync(join(broken, "config"), { recursive: true });
    const file = join(broken, "config", "netclaw.json");
    writeFileSync(file, `{"configVersion": 1, "Daemon": {"Port": ${b.daemon.port}},}`);
    const chat = await runCli(["chat", "-p", "trailing comma"], cleanEnv({ NETCLAW_HOME: broken }));
    assert.equal(chat.code, 1);
    assert.match(
      chat.stderr,
      new RegExp(`^error: Invalid JSON in ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"),
    );
    assert.match(chat.stderr, /^ {7}fix: Fix the JSON syntax/m);

    const badPort = await runCli(
      ["chat", "-p", "bad port"],
      cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_Daemon__Port: "abc" }),
    );
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /Daemon\.Port in environment variable NETCLAW_Daemon__Port: "abc"/);

    const client = homes.home();
    mkdirSync(join(client, "client"), { recursive: true });
    writeFileSync(join(client, "client", "config.json"), '{"Endpoint": ');
    const sessions = await runCli(["sessions"], cleanEnv({ NETCLAW_HOME: client }));
    assert.equal(sessions.code, 1);
    assert.match(sessions.stderr, /Invalid JSON in .*client\/config\.json/);

    const status = await runCli(["status"], cleanEnv({ NETCLAW_HOME: broken }));
    assert.equal(status.code, 1);
    assert.match(status.stdout, /^\[FAIL\] status: Invalid JSON in /);
    assert.equal(await sessionsOfB(), "No sessions found.\n");
    assert.equal(
      upstream.requests.filter((r) => /trailing comma|bad port/.test(r.lastUserText ?? "")).length,
      0,
    );
  });

  test("an endpoint the user chose is used as told; a paired one must still be that daemon", async () => {
    const chosen = await runCli(
      ["status"],
      cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_DAEMON_ENDPOINT: b.daemon.url }),
    );
    assert.equal(chosen.code, 0, chosen.stdout);
    assert.match(chosen.stdout, new RegExp(`pid ${b.daemon.child.pid}`));

    const paired = homes.home();
    mkdirSync(join(paired, "client"), { recursive: true });
    const clientConfig = join(paired, "client", "config.json");
    writeFileSync(clientConfig, JSON.stringify({ Endpoint: b.daemon.url, HomeId: homeId(b.home) }));
    assert.equal((await runCli(["status"], cleanEnv({ NETCLAW_HOME: paired }))).code, 0);
    // Another daemon now answers at the paired address: refused, with the pairing fix.
    writeFileSync(clientConfig, JSON.stringify({ Endpoint: a.daemon.url, HomeId: homeId(b.home) }));
    const moved = await runCli(["chat", "-p", "for B only"], cleanEnv({ NETCLAW_HOME: paired }));
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, /is not the one this netclaw home uses/);
    assert.match(moved.stderr, /pair again with `netclaw pair <endpoint>`/);
    assert.equal(upstream.requests.filter((r) => r.lastUserText === "for B only").length, 0);
  });

  test("raw HTTP: a request expecting another home is refused with 409 before it runs; a match is echoed", async () => {
    const post = await fetch(`${b.daemon.url}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-netclaw-home": homeId(a.home) },
      body: JSON.stringify({ name: "from-a" }),
    });
    assert.equal(post.status, 409);
    assert.equal(((await post.json()) as { error: { code: string } }).error.code, "daemon_mismatch");
    assert.equal(post.headers.get("x-netclaw-pid"), null, "no identity for a mismatch");
    const events = await fetch(`${b.daemon.url}/api/sessions/x/events`, {
      headers: { "x-netclaw-home": "none" },
    });
    assert.equal(events.status, 409);
    await events.body?.cancel();
    assert.equal(await sessionsOfB(), "No sessions found.\n");

    const ready = await fetch(`${b.daemon.url}/api/health/ready`, {
      headers: { "x-netclaw-home": homeId(b.home) },
    });
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), "healthy");
    assert.equal(ready.headers.get("x-netclaw-home"), homeId(b.home));
    assert.equal(ready.headers.get("x-netclaw-pid"), String(b.daemon.child.pid));
    // An anonymous probe without the header learns neither.
    const anonymous = await fetch(`${b.daemon.url}/api/health/ready`);
    assert.equal(await anonymous.text(), "healthy");
    assert.equal(anonymous.headers.get("x-netclaw-home"), null);
    assert.equal(anonymous.headers.get("x-netclaw-pid"), null);
  });

  test("a server that refuses everything (an older netclawd, a proxy page) is not taken for ours either", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ error: { code: "unauthorized", message: "Invalid or revoked device token." } }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const result = await runCli(
        ["sessions"],
        cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_Daemon__Port: String(port) }),
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /did not confirm that it serves this home/);
      assert.doesNotMatch(result.stderr, /pair this device again/);
    } finally {
      server.close();
    }
  });

  test("A's own daemon still serves A's CLI end to end (chat through the checked stream)", async () => {
    const env = cleanEnv({ NETCLAW_HOME: a.home, NETCLAW_Daemon__Port: String(a.daemon.port) });
    const chat = await runCli(["chat", "-p", "hello A"], env);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(chat.stdout, /answer from B/); // the shared fake upstream's one reply
  });
});
