import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import type { ReplyInput } from "./fakes/reply.ts";
import { hasToolResult, startChatDaemon } from "./helpers/chat-daemon.ts";
import {
  cleanEnv,
  freePort,
  NETCLAW,
  type RunningDaemon,
  runCli,
  runNode,
  tempHomes,
} from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

const ESC = "\x1b";
type ErrorObject = { type: string; code: string; message: string; sessionId?: string; response?: string };

/** `--json` output on failure: exactly one JSON object on stdout, of the error shape. */
function errorObject(stdout: string): ErrorObject {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON object on stdout, got: ${stdout}`);
  const body = JSON.parse(lines[0]!) as ErrorObject;
  assert.equal(body.type, "error");
  assert.equal(typeof body.code, "string");
  assert.ok(body.message.length > 0);
  return body;
}

describe("netclaw chat failures, against netclawd (8192-token window) and a fake OpenRouter", () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let env: NodeJS.ProcessEnv;
  const replies = new Map<string, ReplyInput>();
  const answer = (prompt: string, reply: ReplyInput) => replies.set(prompt, reply);
  before(async () => {
    upstream = await createFakeUpstream({
      // once a tool result is in the conversation, finish the turn
      handler: (request) =>
        hasToolResult(request.body) ? "understood." : replies.get(request.lastUserText ?? ""),
    });
    const started = await startChatDaemon({
      home: homes.home(),
      upstream,
      extra: {
        NETCLAW_Models__Main__ContextWindow: "8192",
        // Personal: the shell is offered and asks for approval before anything that writes
        NETCLAW_Security__DeploymentPosture: "Personal",
      },
    });
    daemon = started.daemon;
    env = started.cliEnv;
  });
  after(async () => {
    await daemon?.stop();
    await upstream?.close();
  });

  test("--json usage errors are JSON too, exit 2: empty prompt, no prompt, a bad option", async () => {
    const cases: { args: string[]; input?: string; pattern: RegExp }[] = [
      { args: ["chat", "--json", "-p", ""], pattern: /the prompt is empty/ },
      { args: ["chat", "--json", "-p", " \t "], pattern: /the prompt is empty/ },
      { args: ["chat", "--json"], input: "", pattern: /needs a prompt/ },
      { args: ["chat", "--json", "-p", "hi", "--bogus"], pattern: /unknown option '--bogus'/ },
      { args: ["chat", "--json", "-p"], pattern: /argument missing/ },
      { args: ["chat", "--json", "-r", " ", "-p", "hi"], pattern: /--resume needs a session id/ },
    ];
    for (const { args, input, pattern } of cases) {
      const result = await runNode(NETCLAW, args, { env, input: input ?? "" });
      assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
      const body = errorObject(result.stdout);
      assert.match(body.message, pattern, JSON.stringify(args));
    }
  });

  test("--json, daemon down: code daemon_unreachable with the endpoint and the fix, exit 1", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const down = cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_DAEMON_ENDPOINT: url });
    const result = await runCli(["chat", "--json", "-p", "anyone there?"], down);
    assert.equal(result.code, 1);
    const body = errorObject(result.stdout);
    assert.equal(body.code, "daemon_unreachable");
    assert.match(body.message, new RegExp(`unable to reach daemon at ${url}.*netclaw daemon start`));
  });

  test("--json, the model fails mid-answer: the error object keeps the session and partial answer", async () => {
    answer("explode please", { text: "partial", failure: { streamError: { message: "upstream exploded" } } });
    const result = await runCli(["chat", "--json", "-p", "explode please"], env);
    assert.equal(result.code, 1, result.stderr);
    const body = errorObject(result.stdout);
    assert.notEqual(body.code, "");
    assert.match(body.message, /exploded|fail/i);
    assert.equal(typeof body.sessionId, "string");
    assert.match(body.response ?? "", /partial/);
  });

  test("a turn cancelled from elsewhere: exit 1, --json code turn_cancelled", async () => {
    answer("take your time", { tokens: 400, chunkDelayMs: 100 });
    const running = runCli(["chat", "--json", "-r", "slow-one", "-p", "take your time"], env, 60_000);
    const sessionId = await waitForProcessing(daemon.url, "slow-one");
    const cancel = await fetch(`${daemon.url}/api/sessions/${sessionId}/cancel`, { method: "POST" });
    assert.equal(cancel.status, 200);
    const result = await running;
    assert.equal(result.code, 1, result.stderr);
    const body = errorObject(result.stdout);
    assert.equal(body.code, "turn_cancelled");
    assert.equal(body.sessionId, sessionId);
  });

  test("a tool call that needs an approval fails the headless run: exit 1, --json approval_denied", async () => {
    const dir = join(homes.home(), "made-by-agent");
    answer("make a directory", {
      toolCalls: [{ name: "shell_execute", arguments: { Command: `mkdir -p ${dir}` }, id: "call_mk" }],
    });
    answer("make it in my chat", {
      toolCalls: [{ name: "shell_execute", arguments: { Command: `mkdir -p ${dir}` }, id: "call_mk2" }],
    });
    const plain = await runCli(["chat", "-p", "make a directory"], env);
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /^\[error\] shell_execute was denied: it needs an approval/m);
    assert.match(plain.stdout, /^\[tool:result\] shell_execute call_mk error: Tool access denied/m);
    const json = await runCli(["chat", "--json", "-p", "make a directory"], env);
    assert.equal(json.code, 1);
    assert.equal(errorObject(json.stdout).code, "approval_denied");
    // an interactive session resumed headless asks; the CLI answers deny, and that fails too
    await fetch(`${daemon.url}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "my-chat", channel: "chat" }),
    });
    const resumed = await runCli(["chat", "--json", "-r", "my-chat", "-p", "make it in my chat"], env);
    assert.equal(resumed.code, 1, resumed.stderr);
    assert.equal(errorObject(resumed.stdout).code, "approval_denied");
    assert.equal(existsSync(dir), false);
  });

  test("a prompt over the context window is refused before it is sent, with the numbers", async () => {
    const huge = "lorem ipsum dolor sit amet ".repeat(2000); // ~54 KB, about 13,500 tokens
    const before = upstream.requests.length;
    const result = await runNode(NETCLAW, ["chat", "-r", "too-big"], { env, input: huge });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^\[error\] The prompt is about \d+ tokens .*the model's context window is 8192 tokens\. Send a shorter message/m,
    );
    const json = await runNode(NETCLAW, ["chat", "--json", "-r", "too-big"], { env, input: huge });
    assert.equal(json.code, 1);
    assert.equal(errorObject(json.stdout).code, "context_window_exceeded");
    assert.equal(upstream.requests.length, before, "the model never saw it");
    // nothing was stored either: the session has no user message
    const match = (await (await fetch(`${daemon.url}/api/sessions?match=too-big`)).json()) as {
      sessions: { sessionId: string }[];
    };
    const transcript = (await (
      await fetch(`${daemon.url}/api/sessions/${match.sessions[0]!.sessionId}`)
    ).json()) as {
      events: { type: string }[];
    };
    assert.deepEqual(
      transcript.events.filter((e) => e.type === "user_message"),
      [],
    );
    // raw HTTP: 413 with a stable code
    const raw = await fetch(`${daemon.url}/api/sessions/${match.sessions[0]!.sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: huge }),
    });
    assert.equal(raw.status, 413);
    const error = ((await raw.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "context_window_exceeded");
    assert.match(error.message, /about (\d+) tokens.*8192 tokens/);
  });

  test("a body over the HTTP limit is refused naming the limit in bytes, in the CLI too", async () => {
    const result = await runNode(NETCLAW, ["chat", "--json"], { env, input: "x".repeat(1_100_000) });
    assert.equal(result.code, 1);
    const body = errorObject(result.stdout);
    assert.equal(body.code, "body_too_large");
    assert.match(body.message, /limit of 1048576 bytes \(1 MiB\)/);
    const created = (await (
      await fetch(`${daemon.url}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      })
    ).json()) as { session: { sessionId: string } };
    const raw = await fetch(`${daemon.url}/api/sessions/${created.session.sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "y".repeat(2 * 1024 * 1024) }),
    });
    assert.equal(raw.status, 413);
    const error = ((await raw.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "body_too_large");
    assert.match(error.message, /over this endpoint's limit of 1048576 bytes/);
  });

  test("NO_COLOR: headless output has no escape sequence, even when the model sends some", async () => {
    const prompt = "answer in colour";
    answer(prompt, { text: `plain ${ESC}[31mred${ESC}[0m text`, usage: { input: 4, output: 3 } });
    const plain = await runCli(["chat", "-p", prompt], { ...env, NO_COLOR: "1" });
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!plain.stdout.includes(ESC) && !plain.stderr.includes(ESC), JSON.stringify(plain));
    assert.match(plain.stdout, /plain \[31mred\[0m text/);
    // without NO_COLOR a pipe gets the answer byte for byte
    const piped = await runCli(["chat", "-p", prompt], env);
    assert.ok(piped.stdout.includes(`${ESC}[31mred`), JSON.stringify(piped.stdout));
  });
});

/** The id of the session named `name` once its turn is running. */
async function waitForProcessing(url: string, name: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`${url}/api/sessions?match=${encodeURIComponent(name)}`);
    const { sessions } = (await response.json()) as { sessions: { sessionId: string; status: string }[] };
    if (sessions[0]?.status === "processing") return sessions[0].sessionId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`session ${name} never started a turn`);
}
