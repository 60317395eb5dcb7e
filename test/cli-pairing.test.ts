import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { homePaths } from "../src/config/home.ts";
import {
  cleanEnv,
  NETCLAW,
  type RunningDaemon,
  runNode,
  startDaemon,
  tempHomes,
} from "./helpers/processes.ts";
import { storedDeviceToken } from "./helpers/remote.ts";

const homes = tempHomes();
after(() => homes.cleanup());

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe("netclaw daemon pair → netclaw pair → status through the bearer", () => {
  const host = homes.home();
  const remote = homes.home();
  let daemon: RunningDaemon;
  let env: NodeJS.ProcessEnv;
  const secretsSeen: string[] = [];
  const cli = (args: string[], options: { input?: string; home?: string } = {}) =>
    runNode(NETCLAW, args, { env: { ...env, NETCLAW_HOME: options.home ?? host }, input: options.input });

  before(async () => {
    // A tunnel mode: loopback is not trusted, so even the host's own CLI needs a device token.
    daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: host,
        NETCLAW_Daemon__ExposureMode: "tailscale-serve",
        NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
      }),
    });
    env = cleanEnv({
      NETCLAW_Daemon__ExposureMode: "tailscale-serve",
      NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
      NETCLAW_Daemon__Port: String(daemon.port),
    });
  });
  after(async () => {
    await daemon.stop();
  });

  test("refusals happen before any prompt and save nothing", async () => {
    const plain = await cli(["pair", "http://192.0.2.10:5199"], { home: remote, input: "ABCD-EFGH\nbox\n" });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /Refusing to pair over plain http:\/\/ with '192\.0\.2\.10'/);
    assert.doesNotMatch(plain.stdout, /Pairing code/, "no prompt was shown");

    const wrong = await cli(["pair", daemon.url], { home: remote, input: "ZZZZ-ZZZZ\nbox\n" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /^Pairing code \(XXXX-XXXX\): \nDevice name \[.+\]: \n$/);
    assert.match(wrong.stderr, /Nothing was saved/);
    const paths = homePaths(remote);
    assert.equal(existsSync(paths.clientConfig), false);
    assert.equal(existsSync(paths.secretsFile), false);
  });

  test("redirects are never followed, oversized answers are refused, silence ends at 15 s", async () => {
    const servers: Server[] = [];
    const serve = (handler: RequestListener) =>
      new Promise<string>((resolve) => {
        const server = createServer(handler);
        servers.push(server);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
        });
      });
    try {
      const redirecting = await serve((_req, res) => {
        res.writeHead(307, { location: `${daemon.url}/api/pair/exchange` }).end();
      });
      const redirected = await cli(["pair", redirecting, "--code", "ABCD-EFGH", "--name", "box"], {
        home: remote,
      });
      assert.equal(redirected.code, 1);
      assert.match(redirected.stderr, /redirect \(HTTP 307/);
      const huge = await serve((_req, res) => {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ token: "x".repeat(10_000) }));
      });
      const oversized = await cli(["pair", huge, "--code", "ABCD-EFGH", "--name", "box"], { home: remote });
      assert.equal(oversized.code, 1);
      assert.match(oversized.stderr, /larger than 4096 bytes/);
      const silent = await serve(() => {
        // accept the request and never answer
      });
      const timedOut = await cli(["pair", silent, "--code", "ABCD-EFGH", "--name", "box"], { home: remote });
      assert.equal(timedOut.code, 1);
      assert.match(timedOut.stderr, /no answer within 15 s/);
      assert.ok(timedOut.ms >= 14_500 && timedOut.ms < 25_000, `${timedOut.ms} ms`);
      assert.equal(existsSync(homePaths(remote).clientConfig), false);
    } finally {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    }
  });

  test("the round trip pairs this host's CLI; status then runs on the new token alone", async () => {
    const bootstrapToken = storedDeviceToken(host)!;
    secretsSeen.push(bootstrapToken);
    const pair = await cli(["daemon", "pair"]);
    assert.equal(pair.code, 0, pair.stderr);
    const lines = pair.stdout.split("\n");
    const code = /^Pairing code: {2}([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})$/.exec(lines[0] ?? "")?.[1];
    assert.ok(code, pair.stdout);
    secretsSeen.push(code, code.replace("-", ""));
    assert.match(lines[1] ?? "", /^Expires at: {4}\d{2}:\d{2}:\d{2} \(local time\)$/);
    assert.equal(lines[2], `On the remote device, run: netclaw pair ${daemon.url}`);

    const paired = await cli(["pair", daemon.url], { input: `${code.toLowerCase()}\nhost-cli\n` });
    assert.equal(paired.code, 0, paired.stderr);
    assert.match(paired.stdout, /Paired with http:\/\/127\.0\.0\.1:\d+ as 'host-cli'\./);
    const token = storedDeviceToken(host)!;
    assert.notEqual(token, bootstrapToken);
    secretsSeen.push(token);
    const clientConfig = JSON.parse(readFileSync(homePaths(host).clientConfig, "utf8"));
    // The daemon's home id comes with the token: later answers from another daemon are refused.
    const homeId = readFileSync(homePaths(host).homeIdFile, "utf8").trim();
    assert.deepEqual(clientConfig, { Endpoint: daemon.url, HomeId: homeId });

    const bootstrapName = `${hostname()}-bootstrap`;
    const revoked = await cli(["daemon", "devices", "revoke", bootstrapName]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const status = await cli(["status"]);
    assert.notEqual(status.code, 1, status.stdout + status.stderr);
    assert.match(status.stdout, /exposure\s+tailscale-serve/);

    const devices = await cli(["daemon", "devices"]);
    assert.equal(devices.code, 0);
    assert.match(devices.stdout, /^NAME\s+PAIRED\s+LAST USED/);
    assert.match(devices.stdout, /host-cli/);
    assert.doesNotMatch(devices.stdout, new RegExp(bootstrapName));

    const unpaired = await cli(["daemon", "devices", "revoke", "host-cli"]);
    assert.equal(unpaired.code, 0);
    const refused = await cli(["status"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Invalid or revoked device token\./);
    assert.match(refused.stdout, /netclaw pair http:\/\/127\.0\.0\.1:\d+/);
    const locked = await cli(["daemon", "devices", "revoke", "host-cli"]);
    assert.equal(locked.code, 1, "an unpaired CLI cannot manage devices through a remote-mode daemon");
    assert.match(locked.stderr, /Invalid or revoked device token\.\n {7}fix: pair this device again/);
  });

  test("no token or code is in any file the daemon or CLI wrote, and secret files are owner-only", async () => {
    assert.ok(secretsSeen.length >= 4);
    for (const home of [host, remote]) {
      for (const file of filesUnder(home)) {
        if (file.endsWith(".db") || file.endsWith("-wal") || file.endsWith("-shm")) continue;
        const text = readFileSync(file, "latin1");
        for (const secret of secretsSeen) assert.ok(!text.includes(secret), `${file} contains a secret`);
      }
    }
    for (const secret of secretsSeen) assert.ok(!daemon.stderr().includes(secret), "daemon stderr");
    const paths = homePaths(host);
    for (const file of [paths.secretsFile, paths.devicesFile, paths.secretsKey, paths.localControlKey]) {
      assert.equal(statSync(file).mode & 0o777, 0o600, file);
    }
    assert.equal(statSync(paths.keysDir).mode & 0o777, 0o700);
  });
});
