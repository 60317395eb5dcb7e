import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { homePaths } from "../src/config/home.ts";
import { readSecrets } from "../src/config/secrets-file.ts";
import type { SessionEvent } from "../src/protocol/events.ts";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import type { ReplyInput } from "./fakes/reply.ts";
import { callKind } from "./helpers/model-env.ts";
import {
  cleanEnv,
  NETCLAW,
  type RunningDaemon,
  runCli,
  runNode,
  startDaemon,
  tempHomes,
} from "./helpers/processes.ts";
import { apiClient, openEventStream, turnCompleted } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

// Distinctive values, and the fragments of each that must never appear anywhere.
const FILE_KEY = "nckey-FILE-7f3a9c2e1b5d"; // provider ApiKey, stored by `netclaw secrets set`
const ENV_KEY = "nckey-ENV-4q8w2e6r0t9y"; // another provider's ApiKey, from the environment
const URL_KEY = "nckey-URL-5h1j7k3l9z2x"; // a password inside an Endpoint URL
const FRAGMENTS = ["7f3a9c2e1b5d", "FILE-7f3a", "4q8w2e6r0t9y", "ENV-4q8w", "5h1j7k3l9z2x", "URL-5h1j"];

/** Every file under `dir` (the sessions database with its -wal/-shm files, logs …), as bytes. */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out.push({ path, text: readFileSync(path).toString("latin1") });
  }
  return out;
}

function assertNoSecret(where: string, text: string): void {
  for (const fragment of FRAGMENTS) assert.ok(!text.includes(fragment), `${where} holds ${fragment}`);
}

function assertHomeClean(home: string): void {
  for (const sub of ["sessions", "logs"]) {
    for (const file of filesUnder(join(home, sub))) assertNoSecret(file.path, file.text);
  }
}

describe("configured secrets the model repeats are redacted in stored events, SSE and chat output", () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let home: string;
  let cliEnv: NodeJS.ProcessEnv;
  const replies = new Map<string, ReplyInput>();

  before(async () => {
    home = homes.home();
    upstream = await createFakeUpstream({
      handler: (request) => {
        // The title of the session, a sidecar call, repeats the key as well.
        if (callKind(request) === "title") return { text: `Keys ${FILE_KEY}` };
        if (request.rawBody.includes('"role":"tool"'))
          return { text: ["tool said ", ENV_KEY.slice(0, 9), ENV_KEY.slice(9)] };
        return replies.get(request.lastUserText ?? "") ?? { text: "ok" };
      },
    });
    const base = cleanEnv({ NETCLAW_HOME: home });
    const set = await runNode(NETCLAW, ["secrets", "set", "Providers.openrouter.ApiKey", FILE_KEY], {
      env: base,
    });
    assert.equal(set.code, 0, set.stderr);
    daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: home,
        NETCLAW_Providers__openrouter__Type: "openrouter",
        NETCLAW_Providers__openrouter__Endpoint: upstream.openrouterBaseUrl,
        NETCLAW_Providers__spare__Type: "openai",
        NETCLAW_Providers__spare__ApiKey: ENV_KEY,
        NETCLAW_Models__Main__Provider: "openrouter",
        NETCLAW_Models__Main__ModelId: "fake-model",
      }),
    });
    cliEnv = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: daemon.url });
  });
  after(async () => {
    await daemon?.stop();
    await upstream?.close();
  });

  test("whole and split across chunks: absent from `netclaw chat` output", async () => {
    replies.set("echo whole", { text: ["Your key is ", FILE_KEY, " and the spare is ", ENV_KEY, "."] });
    replies.set("echo split", {
      thinking: ["I will print ", FILE_KEY.slice(0, 11), FILE_KEY.slice(11), " now"],
      text: [
        "Key: ",
        FILE_KEY.slice(0, 4),
        FILE_KEY.slice(4, 13),
        `${FILE_KEY.slice(13)} `,
        ENV_KEY.slice(0, 12),
        ENV_KEY.slice(12),
        " end",
      ],
    });
    for (const prompt of ["echo whole", "echo split"]) {
      const result = await runCli(["chat", "-p", prompt], cliEnv);
      assert.equal(result.code, 0, result.stderr);
      assertNoSecret(`chat -p ${prompt}`, result.stdout + result.stderr);
      assert.match(result.stdout, /\*\*\*REDACTED\*\*\*/);
      assert.match(result.stdout, / end|\./, "the text after the key is shown");
    }
  });

  test("split across chunks: absent from the live SSE stream (deltas included) and the transcript", async () => {
    const api = apiClient(daemon.url);
    const id = await api.createSession({ name: "sse-echo" });
    const stream = await openEventStream({ url: `${daemon.url}/api/sessions/${id}/events` });
    replies.set("echo over sse", {
      text: [
        "A ",
        FILE_KEY.slice(0, 7),
        FILE_KEY.slice(7, 15),
        FILE_KEY.slice(15),
        " B ",
        ENV_KEY.slice(0, 3),
        ENV_KEY.slice(3),
        " C",
      ],
      toolCalls: [{ name: "file_read", arguments: { path: `/nonexistent/${FILE_KEY}` } }],
    });
    assert.equal((await api.send(id, "echo over sse")).status, 202);
    const seen = await stream.until(turnCompleted(1));
    await stream.close();
    const raw = stream.frames.map((frame) => frame.data).join("\n");
    assertNoSecret("SSE stream", raw);
    const deltas = seen.filter(
      (e): e is Extract<SessionEvent, { type: "text_delta" }> => e.type === "text_delta",
    );
    assert.ok(deltas.length > 1, "the answer was streamed");
    assert.ok(
      deltas
        .map((d) => d.text)
        .join("")
        .includes("***REDACTED***"),
    );
    assert.ok(seen.some((e) => e.type === "tool_call" && e.argumentsJson.includes("***REDACTED***")));
    assertNoSecret("transcript", JSON.stringify(await api.transcript(id)));
  });

  test("absent from the sessions database files (-wal included) and the logs, live and after stop", async () => {
    assertHomeClean(home);
    await daemon.stop();
    assertHomeClean(home);
    const db = filesUnder(join(home, "sessions")).find((f) => f.path.endsWith("netclaw.db"));
    assert.ok(db?.text.includes("REDACTED"), "the redacted answers were stored");
  });
});

describe("credentials inside a URL never reach an event, a log, a response or the CLI", () => {
  let upstream: FakeUpstream;
  let home: string;
  before(async () => {
    home = homes.home();
    upstream = await createFakeUpstream({});
  });
  after(async () => {
    await upstream?.close();
  });

  test("an Endpoint with user:key@ whose call fails, and vendor errors that quote such a URL", async () => {
    const authority = new URL(upstream.url).host;
    const daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: home,
        NETCLAW_Providers__bad__Type: "openai-compatible",
        NETCLAW_Providers__bad__Endpoint: `http://bob:${URL_KEY}@${authority}/v1`,
        NETCLAW_Providers__good__Type: "openai-compatible",
        NETCLAW_Providers__good__Endpoint: upstream.openaiBaseUrl,
        NETCLAW_Models__Main__Provider: "bad",
        NETCLAW_Models__Main__ModelId: "fake-model",
        // The update check reads this URL too; status and update must not show its password.
        NETCLAW_Daemon__UpdateFeedUrl: `http://feed:${URL_KEY}@${authority}/registry`,
        // An MCP server whose connection fails: status and doctor show its error.
        NETCLAW_McpServers__remote__Transport: "http",
        NETCLAW_McpServers__remote__Url: `http://mcp:${URL_KEY}@${authority}/mcp`,
      }),
    });
    try {
      const cliEnv = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: daemon.url });
      const failed = await runCli(["chat", "-p", "hello"], cliEnv);
      assert.equal(failed.code, 1, failed.stdout);
      assert.match(failed.stderr, /\[error\] .*\*\*\*REDACTED\*\*\*/);
      assertNoSecret("chat output", failed.stdout + failed.stderr);
      const sessions = await runCli(["sessions", "--json"], cliEnv);
      assertNoSecret("sessions", sessions.stdout);
      const status = await fetch(`${daemon.url}/api/health/status`).then((r) => r.text());
      assertNoSecret("status", status);
      assert.match(status, /"error":"[^"]*http:\/\/\*\*\*REDACTED\*\*\*@127\.0\.0\.1:\d+\/mcp"/);
      for (const args of [["status", "--json"], ["doctor"]]) {
        const shown = await runCli(args, cliEnv);
        assertNoSecret(args.join(" "), shown.stdout + shown.stderr);
      }
      const update = await runCli(["update", "--check"], {
        ...cliEnv,
        NETCLAW_Daemon__UpdateFeedUrl: `http://feed:${URL_KEY}@${authority}/registry`,
      });
      assertNoSecret("update --check", update.stdout + update.stderr);
    } finally {
      await daemon.stop();
    }
    assertHomeClean(home);
  });

  test("a vendor's error text that quotes a URL with credentials (in-stream and HTTP)", async () => {
    const daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: home,
        NETCLAW_Providers__good__Type: "openai-compatible",
        NETCLAW_Providers__good__Endpoint: upstream.openaiBaseUrl,
        NETCLAW_Models__Main__Provider: "good",
        NETCLAW_Models__Main__ModelId: "fake-model",
      }),
    });
    try {
      const cliEnv = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: daemon.url });
      const quoted = `upstream https://svc:${URL_KEY}@internal.example/v2 refused the call`;
      for (const failure of [
        { streamError: { message: quoted, afterChunks: 0 } },
        { status: 400, body: { error: { message: quoted, type: "invalid_request_error" } } },
      ]) {
        upstream.setHandler(() => ({ failure })); // every attempt fails alike (retries included)
        const result = await runCli(["chat", "-p", "fail please"], cliEnv);
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, /https:\/\/\*\*\*REDACTED\*\*\*@internal\.example\/v2/);
        assertNoSecret("chat output", result.stdout + result.stderr);
      }
    } finally {
      upstream.setHandler(undefined);
      await daemon.stop();
    }
    assertHomeClean(home);
  });
});

describe("every kind of known secret: secrets.json leaves of any name, header values read from the environment, webhook secrets added while running", () => {
  const STORED = "nckey-STORED-8m6n4b2v0c"; // secrets.json, under a name that does not say "secret"
  const EXPANDED = "nckey-EXPANDED-3d5f7g9h1j"; // read by an MCP header through ${TICKETS_TOKEN}
  const HOOK = "nckey-HOOK-2p4o6i8u0y1t"; // a webhook route's secret, created after the start
  const LATE = ["8m6n4b2v0c", "3d5f7g9h1j", "2p4o6i8u0y1t"];

  test("the model echoes each of them, split across chunks", async () => {
    const home = homes.home();
    const upstream = await createFakeUpstream({});
    const base = cleanEnv({ NETCLAW_HOME: home, HOOK_SECRET: HOOK });
    const set = await runNode(NETCLAW, ["secrets", "set", "McpServers.tickets.Headers.X-Trace", STORED], {
      env: base,
    });
    assert.equal(set.code, 0, set.stderr);
    const daemon = await startDaemon({
      env: cleanEnv({
        NETCLAW_HOME: home,
        TICKETS_TOKEN: EXPANDED,
        NETCLAW_Webhooks__Enabled: "true",
        NETCLAW_McpServers__tickets__Transport: "http",
        NETCLAW_McpServers__tickets__Url: `${upstream.url}/no-mcp-here`,
        // The header reads the variable through "${TICKETS_TOKEN}".
        NETCLAW_McpServers__tickets__Headers__Authorization: `Bearer ${"$"}{TICKETS_TOKEN}`,
        NETCLAW_Providers__good__Type: "openai-compatible",
        NETCLAW_Providers__good__Endpoint: upstream.openaiBaseUrl,
        NETCLAW_Models__Main__Provider: "good",
        NETCLAW_Models__Main__ModelId: "fake-model",
      }),
    });
    try {
      const cliEnv = cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: daemon.url });
      const hook = await runNode(
        NETCLAW,
        ["webhooks", "set", "deploys", "--prompt", "Summarise the deploy.", "--secret-env", "HOOK_SECRET"],
        { env: { ...cliEnv, HOOK_SECRET: HOOK } },
      );
      assert.equal(hook.code, 0, hook.stderr);
      const echo = (value: string, n: number) => ({
        text: ["Value: ", value.slice(0, n), value.slice(n), " — end"],
      });
      // The route registry reloads on its own; once the route answers (401 unsigned, not 404),
      // its secret is known.
      for (let attempt = 0; ; attempt++) {
        const probe = await fetch(`${daemon.url}/api/webhooks/deploys`, { method: "POST", body: "{}" });
        if (probe.status !== 404) break;
        assert.ok(attempt < 600, "the webhook route was never loaded (60 s)");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const [value, n] of [
        [STORED, 9],
        [EXPANDED, 14],
        [HOOK, 5],
      ] as const) {
        upstream.setHandler(() => echo(value, n));
        const result = await runCli(["chat", "-p", `echo ${n}`], cliEnv);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^Value: \*\*\*REDACTED\*\*\* — end$/m, result.stdout);
      }
    } finally {
      await daemon.stop();
      await upstream.close();
    }
    for (const sub of ["sessions", "logs"]) {
      for (const file of filesUnder(join(home, sub))) {
        for (const fragment of LATE)
          assert.ok(!file.text.includes(fragment), `${file.path} holds ${fragment}`);
      }
    }
  });
});

describe("the bootstrap DeviceToken, seeded after the configuration was read", () => {
  test("is redacted when the model echoes it", async () => {
    const home = homes.home();
    const upstream = await createFakeUpstream({});
    const env = cleanEnv({
      NETCLAW_HOME: home,
      NETCLAW_Daemon__ExposureMode: "tailscale-serve",
      NETCLAW_Daemon__SkipTunnelProcessCheck: "true",
      NETCLAW_Providers__good__Type: "openai-compatible",
      NETCLAW_Providers__good__Endpoint: upstream.openaiBaseUrl,
      NETCLAW_Models__Main__Provider: "good",
      NETCLAW_Models__Main__ModelId: "fake-model",
    });
    const daemon = await startDaemon({ env });
    try {
      const paths = homePaths(home);
      const token = readSecrets({ secretsPath: paths.secretsFile, keyPath: paths.secretsKey }).value
        .DeviceToken as string;
      assert.ok(token.length > 20, "the first non-local start seeded a token");
      // No "Token:" before it: that shape alone would be redacted without knowing the value.
      upstream.setHandler(() => ({ text: ["Here it is ", token.slice(0, 10), token.slice(10), " end"] }));
      const result = await runCli(["chat", "-p", "echo the token"], {
        ...env,
        NETCLAW_Daemon__Port: String(daemon.port),
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^Here it is \*\*\*REDACTED\*\*\* end$/m);
      assert.ok(!result.stdout.includes(token.slice(4, 20)));
    } finally {
      await daemon.stop();
      await upstream.close();
    }
  });
});
