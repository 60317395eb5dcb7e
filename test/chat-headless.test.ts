import assert from "node:assert/strict";
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

describe("netclaw chat headless, against netclawd and a fake OpenRouter", () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let env: NodeJS.ProcessEnv;
  // Replies keyed by the prompt they answer: the daemon also calls the model for titles, so a
  // plain FIFO queue would race with those calls.
  const replies = new Map<string, ReplyInput>();
  const answer = (prompt: string, reply: ReplyInput) => replies.set(prompt, reply);
  const modelCallFor = (prompt: string) => upstream.requests.find((r) => r.lastUserText === prompt);
  before(async () => {
    upstream = await createFakeUpstream({
      // once a tool result is in the conversation, answer plainly (the daemon appends a system
      // time note after it, so the fake's endsWithToolResult does not see it)
      handler: (request) =>
        hasToolResult(request.body) ? "done checking" : replies.get(request.lastUserText ?? ""),
    });
    const started = await startChatDaemon({ home: homes.home(), upstream });
    daemon = started.daemon;
    env = started.cliEnv;
  });
  after(async () => {
    await daemon?.stop();
    await upstream?.close();
  });

  test("sessions: none yet", async () => {
    const result = await runCli(["sessions"], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "No sessions found.\n");
  });

  test("-p prints the streamed answer on stdout and a [usage] line on stderr, exit 0", async () => {
    answer("how full is the disk?", { text: "The disk is 42% full.", usage: { input: 12, output: 7 } });
    const result = await runCli(["chat", "-p", "how full is the disk?"], env);
    assert.equal(result.code, 0, result.stderr);
    // stdout is the answer alone, so `netclaw chat -p … > answer.txt` keeps just the answer
    assert.equal(result.stdout, "The disk is 42% full.\n");
    assert.match(
      result.stderr,
      /^\[usage\] input=12 output=7 total=19 context=[\d.]+% model=openrouter\/fake-model$/m,
    );
    assert.ok(modelCallFor("how full is the disk?"));
  });

  test("--json prints sessionId, response, toolCalls, usage, ttftMs and totalMs", async () => {
    answer("ping", { text: "pong", usage: { input: 3, output: 1 } });
    const result = await runCli(["chat", "--json", "-p", "ping"], env);
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      "response",
      "sessionId",
      "toolCalls",
      "totalMs",
      "ttftMs",
      "usage",
    ]);
    assert.equal(body.response, "pong");
    assert.deepEqual(body.toolCalls, []);
    assert.equal((body.usage as { inputTokens: number }).inputTokens, 3);
    assert.equal(typeof body.sessionId, "string");
    assert.ok((body.ttftMs as number) >= 0 && (body.ttftMs as number) <= (body.totalMs as number));
  });

  test("tool activity prints as [tool:call] and [tool:result] lines; a result names its call id", async () => {
    answer("check the disk", {
      toolCalls: [
        { name: "disk_usage", arguments: { path: "/" }, id: "call_root" },
        { name: "disk_usage", arguments: { path: "/home" }, id: "call_home" },
      ],
    });
    const result = await runCli(["chat", "-p", "check the disk"], env);
    assert.match(result.stdout, /^\[tool:call\] disk_usage \{"path":"\/"\}$/m);
    // two calls of one tool: only the call id tells their results apart
    assert.match(result.stdout, /^\[tool:result\] disk_usage call_root \S/m);
    assert.match(result.stdout, /^\[tool:result\] disk_usage call_home \S/m);
    assert.match(result.stdout, /^done checking$/m);
  });

  test("an empty prompt is a usage error that says so, exit 2", async () => {
    for (const args of [
      ["chat", "-p", ""],
      ["chat", "-p", "  \n "],
      ["chat", ""],
    ]) {
      const result = await runNode(NETCLAW, args, { env, input: "" });
      assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
      assert.match(result.stderr, /the prompt is empty/, JSON.stringify(args));
      assert.equal(result.stdout, "");
    }
    const piped = await runNode(NETCLAW, ["chat"], { env, input: " \n" });
    assert.equal(piped.code, 2);
    assert.match(piped.stderr, /the prompt on stdin is empty/);
  });

  test("a prompt on stdin works like -p", async () => {
    answer("what is on stdin?", "from stdin");
    const result = await runNode(NETCLAW, ["chat"], { env, input: "what is on stdin?\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^from stdin$/m);
    assert.ok(modelCallFor("what is on stdin?"));
  });

  test("--resume <name> twice continues one session; --resume <id> too; sessions lists it", async () => {
    answer("remember the number 7341", "noted");
    const first = await runCli(
      ["chat", "--json", "--resume", "ops-notes", "-p", "remember the number 7341"],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    answer("which number?", "it was 7341");
    const second = await runCli(["chat", "--json", "--resume", "ops-notes", "-p", "which number?"], env);
    assert.equal(second.code, 0, second.stderr);
    const id = (JSON.parse(first.stdout) as { sessionId: string }).sessionId;
    assert.equal((JSON.parse(second.stdout) as { sessionId: string }).sessionId, id);
    // the second model call saw the first exchange: that is continuity
    const body = JSON.stringify(modelCallFor("which number?")?.body);
    assert.match(body, /remember the number 7341/);
    assert.match(body, /noted/);

    answer("and again", "third");
    const byId = await runCli(["chat", "--json", "-r", id, "-p", "and again"], env);
    assert.equal((JSON.parse(byId.stdout) as { sessionId: string }).sessionId, id);

    const list = await runCli(["sessions"], env);
    assert.equal(list.code, 0, list.stderr);
    const line = list.stdout.split("\n").find((l) => l.startsWith(`${id}  `));
    assert.ok(line, list.stdout);
    assert.match(
      line,
      /^\S+ {2}.+ {2}\[idle\] {2}turns=3 {2}last=\d{4}-\d{2}-\d{2} \d{2}:\d{2} {2}name=ops-notes$/,
    );
    const json = await runCli(["sessions", "--json"], env);
    const sessions = JSON.parse(json.stdout) as {
      sessionId: string;
      name: string | null;
      turnCount: number;
    }[];
    const named = sessions.find((s) => s.sessionId === id);
    assert.equal(named?.name, "ops-notes");
    assert.equal(named?.turnCount, 3);
  });

  test("a model failure is [error] on stderr and exit 1", async () => {
    answer("fail please", { failure: { streamError: { message: "upstream exploded", afterChunks: 1 } } });
    const result = await runCli(["chat", "-p", "fail please"], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^\[error\] /m);
  });

  test("usage errors exit 2", async () => {
    const result = await runNode(NETCLAW, ["chat", "--json"], { env, input: "" });
    assert.equal(result.code, 2);
  });
});

describe("netclaw chat headless, failures", () => {
  test("no model configured: the daemon's notice is printed and the exit code is 1", async () => {
    const { daemon, cliEnv } = await startChatDaemon({ home: homes.home() });
    try {
      const result = await runCli(["chat", "-p", "hello?"], cliEnv);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /No valid model configuration detected\./);
      assert.match(result.stderr, /^\[error\] no model is configured.*netclaw init/m);
      const json = await runCli(["chat", "--json", "-p", "hello?"], cliEnv);
      assert.equal(json.code, 1);
      const body = JSON.parse(json.stdout) as { type: string; code: string; response: string };
      assert.equal(body.type, "error");
      assert.equal(body.code, "no_model");
      assert.match(body.response, /No valid model configuration detected\./);
    } finally {
      await daemon.stop();
    }
  });

  test("daemon down: a clear [error] naming the endpoint and the fix, exit 1", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const env = cleanEnv({ NETCLAW_HOME: homes.home(), NETCLAW_DAEMON_ENDPOINT: url });
    const result = await runCli(["chat", "-p", "anyone there?"], env);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(`^\\[error\\] unable to reach daemon at ${url}: connection refused`),
    );
    assert.match(result.stderr, /netclaw daemon start/);
    const sessions = await runCli(["sessions"], env);
    assert.equal(sessions.code, 1);
    assert.match(sessions.stderr, /unable to reach daemon/);
  });
});
