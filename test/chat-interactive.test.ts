import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import type { ReplyInput } from "./fakes/reply.ts";
import { hasToolResult, startChatDaemon } from "./helpers/chat-daemon.ts";
import { openTerminal, type Terminal } from "./helpers/chat-terminal.ts";
import {
  cleanEnv,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempHomes,
} from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("netclaw chat in a real terminal, no daemon", () => {
  test("daemon down at start: a clear message naming the endpoint and the fix, exit 1", async () => {
    const home = homes.home();
    const url = `http://127.0.0.1:${await freePort()}`;
    const term = await openTerminal({
      dir: home,
      args: ["chat"],
      env: cleanEnv({ NETCLAW_HOME: home, NETCLAW_DAEMON_ENDPOINT: url }),
    });
    try {
      const screen = await term.waitFor(/EXIT=1/);
      assert.match(
        screen,
        new RegExp(`\\[FAIL\\] chat: unable to reach daemon at ${url}: connection refused`),
      );
      assert.match(screen, /netclaw daemon start/);
    } finally {
      await term.close();
    }
  });
});

describe("netclaw chat in a real terminal (tmux)", () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let env: NodeJS.ProcessEnv;
  let daemonEnv: NodeJS.ProcessEnv;
  let home: string;
  const terminals: Terminal[] = [];
  const terminal = async (args: string[] = ["chat"]) => {
    const opened = await openTerminal({ dir: home, args, env });
    terminals.push(opened);
    await opened.waitFor(/Ctrl\+D or a second Ctrl\+C leaves/);
    return opened;
  };
  // Replies keyed by the prompt they answer: the daemon also calls the model for titles, so a
  // plain FIFO queue would race with those calls.
  const replies = new Map<string, ReplyInput>();
  const answer = (prompt: string, reply: ReplyInput) => replies.set(prompt, reply);
  // a message left unanswered by an interrupted turn is merged with the next one ("a\n\nb")
  const replyFor = (text: string) => replies.get(text) ?? replies.get(text.split("\n\n").at(-1) ?? "");
  const modelCallFor = (prompt: string) => upstream.requests.find((r) => r.lastUserText === prompt);
  before(async () => {
    home = homes.home();
    upstream = await createFakeUpstream({
      // once a tool result is in the conversation, finish the turn
      handler: (request) => (hasToolResult(request.body) ? "checked." : replyFor(request.lastUserText ?? "")),
    });
    ({
      daemon,
      cliEnv: env,
      daemonEnv,
    } = await startChatDaemon({
      home,
      upstream,
      extra: { NETCLAW_Security__DeploymentPosture: "Personal" },
    }));
  });
  after(async () => {
    for (const opened of terminals) await opened.close();
    await daemon?.stop();
    await upstream?.close();
  });

  test("a typed prompt streams its answer, then the usage line; Ctrl+D leaves with exit 0", async () => {
    answer("greek letters please", {
      text: "alpha beta gamma delta epsilon zeta",
      chunkDelayMs: 150,
      usage: { input: 5, output: 6 },
    });
    const term = await terminal();
    await term.type("greek letters please");
    await term.keys("Enter");
    // part of the answer is on screen before the rest has been generated
    const partial = await term.waitFor(/beta/);
    assert.doesNotMatch(partial, /zeta/);
    const done = await term.waitFor(/5 in · 6 out/);
    assert.equal(count(done, "alpha beta gamma delta epsilon zeta"), 1);
    assert.match(done, /› greek letters please/);
    await term.keys("C-d");
    await term.waitFor(/EXIT=0/);
  });

  test("Ctrl+C cancels a slow answer and keeps the partial text; a second Ctrl+C leaves", async () => {
    answer("write a long story", { tokens: 200, chunkDelayMs: 100 });
    const term = await terminal();
    await term.type("write a long story");
    await term.keys("Enter");
    await term.waitFor((screen) => /› write a long story\n.+\S/.test(screen));
    await term.keys("C-c");
    const cancelled = await term.waitFor(/\(turn cancelled\)/);
    assert.match(cancelled, /cancelling the turn/);
    assert.match(cancelled, / \[cancelled\]/, "the partial answer stays, marked");
    assert.equal(modelCallFor("write a long story")?.clientAborted, true);
    await term.keys("C-c");
    await term.waitFor(/EXIT=0/);
  });

  test("thinking and tool activity show dimmed, before the answer", async () => {
    answer("look at the disk", {
      thinking: "the user wants disk usage",
      toolCalls: [{ name: "disk_usage", arguments: { path: "/var" } }],
    });
    const term = await terminal();
    await term.type("look at the disk");
    await term.keys("Enter");
    const screen = await term.waitFor(/checked\./);
    assert.match(screen, /the user wants disk usage/);
    assert.match(screen, /⚙ disk_usage \{"path":"\/var"\}/);
    assert.match(screen, /↳ error: Unknown tool 'disk_usage'/);
    const styled = await term.screen({ escapes: true });
    // dim (SGR 2) is switched on before the thinking and tool lines and not reset until the answer
    const esc = String.fromCharCode(27);
    assert.match(styled, new RegExp(`${esc}\\[2m[^${esc}]*the user wants disk usage[^${esc}]*⚙ disk_usage`));
    assert.match(
      styled,
      new RegExp(`${esc}\\[0m[^${esc}]*(${esc}\\[\\d+m)*checked\\.`),
      "the answer is not dimmed",
    );
    await term.keys("C-d");
  });

  test("NO_COLOR: the same thinking, tool and error lines carry no colour or dim at all", async () => {
    answer("look at the disk without colour", {
      thinking: "the user wants disk usage",
      toolCalls: [{ name: "disk_usage", arguments: { path: "/var" } }],
    });
    const term = await openTerminal({ dir: home, args: ["chat"], env: { ...env, NO_COLOR: "1" } });
    terminals.push(term);
    await term.waitFor(/Ctrl\+D or a second Ctrl\+C leaves/);
    await term.type("look at the disk without colour");
    await term.keys("Enter");
    await term.waitFor(/checked\./);
    const styled = await term.screen({ escapes: true });
    assert.match(styled, /⚙ disk_usage \{"path":"\/var"\}/);
    // tmux writes an SGR sequence for every styled cell: none means nothing was coloured or dimmed
    assert.ok(!styled.includes(String.fromCharCode(27)), styled);
    await term.keys("C-d");
    await term.waitFor(/EXIT=0/);
  });

  test("a tool approval takes over the prompt; one key answers it and the tool runs", async () => {
    const dir = join(home, "workspaces", "approved-in-chat");
    answer("make the build dir", {
      toolCalls: [{ name: "shell_execute", arguments: { Command: `mkdir -p ${dir}` } }],
    });
    const term = await terminal();
    await term.type("make the build dir");
    await term.keys("Enter");
    const prompt = await term.waitFor(/approve\?/);
    assert.match(prompt, /\[y\] yes once/);
    assert.match(prompt, /\[n\] deny/);
    assert.equal(existsSync(dir), false, "nothing runs before the answer");
    await term.keys("y");
    const done = await term.waitFor(/checked\./);
    assert.match(done, /\[approval: once\]/);
    assert.equal(existsSync(dir), true);
    await term.keys("C-d");
  });

  test("--resume <name> shows the earlier conversation and continues it", async () => {
    answer("note: the backup runs at 02:00", "Noted: backups at 02:00.");
    const first = await runCli(["chat", "--resume", "backups", "-p", "note: the backup runs at 02:00"], env);
    assert.equal(first.code, 0, first.stderr);
    answer("when does it run?", "At 02:00.");
    const term = await terminal(["chat", "--resume", "backups"]);
    const shown = await term.screen();
    assert.match(shown, /netclaw chat · backups \(resumed\)/);
    assert.match(shown, /› note: the backup runs at 02:00\nNoted: backups at 02:00\./);
    await term.type("when does it run?");
    await term.keys("Enter");
    await term.waitFor(/^At 02:00\.$/m);
    assert.match(JSON.stringify(modelCallFor("when does it run?")?.body), /Noted: backups at 02:00/);
    await term.keys("C-d");
  });

  test("multi-line input: a trailing backslash and Alt+Enter continue the message", async () => {
    answer("first line\nsecond line\nthird line", "got three lines");
    const term = await terminal();
    await term.type("first line\\");
    await term.keys("Enter");
    await term.type("second line");
    await term.keys("M-Enter");
    await term.type("third line");
    await term.keys("Enter");
    await term.waitFor(/got three lines/);
    assert.ok(modelCallFor("first line\nsecond line\nthird line"));
    await term.keys("C-d");
  });

  test("a message typed while a turn runs is queued and answered next", async () => {
    answer("slow one", { text: "one two three four five six", chunkDelayMs: 200 });
    answer("and this too", "the queued one is answered");
    const term = await terminal();
    await term.type("slow one");
    await term.keys("Enter");
    await term.waitFor(/two/);
    await term.type("and this too");
    await term.keys("Enter");
    await term.waitFor(/the queued one is answered/);
    const queued = modelCallFor("and this too");
    assert.ok(queued);
    assert.match(
      JSON.stringify(queued.body),
      /one two three four five six/,
      "it came after the first answer",
    );
    await term.keys("C-d");
  });

  test("a graceful daemon stop mid-answer: the answer completes, the client reconnects after the restart, nothing twice", async () => {
    const text = "Drained answer: one two three four five six seven eight nine ten eleven twelve";
    answer("count for me", { text, chunkDelayMs: 120 });
    const term = await terminal();
    await term.type("count for me");
    await term.keys("Enter");
    await term.waitFor(/Drained answer: one two/);
    const stopped = daemon.stop();
    await term.waitFor(/daemon unreachable .* reconnecting in/);
    await stopped;
    daemon = await startDaemon({ env: daemonEnv, port: daemon.port });
    const done = await term.waitFor(
      (screen) => screen.includes("twelve") && /reconnected/.test(screen),
      20_000,
    );
    assert.equal(count(done, text), 1, done);
    assert.equal(count(done, "Drained answer:"), 1, done);
    await term.keys("C-d");
  });

  test("the daemon restarts mid-answer: the client reconnects and the answer is on screen once", async () => {
    answer("tell me about the fox", {
      text: "Restart-proof answer: the quick brown fox jumps over the lazy dog",
      chunkDelayMs: 150,
    });
    const term = await terminal();
    await term.type("tell me about the fox");
    await term.keys("Enter");
    await term.waitFor(/quick brown/);
    daemon.child.kill("SIGKILL");
    await daemon.exited;
    await term.waitFor(/daemon unreachable .* reconnecting in/);
    daemon = await startDaemon({ env: daemonEnv, port: daemon.port });
    const reconnected = await term.waitFor(/reconnected/, 20_000);
    assert.equal(count(reconnected, "Restart-proof answer:"), 1);
    answer("are you back?", "still here after the restart");
    await term.type("are you back?");
    await term.keys("Enter");
    const after = await term.waitFor(/still here after the restart/);
    assert.equal(count(after, "Restart-proof answer:"), 1);
    assert.equal(count(after, "still here after the restart"), 1);
    await term.keys("C-d");
  });
});
