import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { tempWorkspace, testContext } from "./fixtures/tool-context.ts";
import { runTool } from "./run-tool.ts";
import { createShellExecuteTool } from "./shell-execute.ts";

const shell = createShellExecuteTool({
  env: { ...process.env, NETCLAW_Providers__x__ApiKey: "hidden-value" },
  killGraceMs: 300,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is dead for our purposes.
  try {
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await delay(20);
  return readFileSync(path, "utf8").trim();
}

test("runs bash -c in the working directory, returns output and exit code", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  mkdirSync(join(sessionDir, "sub"));
  const ctx = testContext({ sessionDir });
  const result = await runTool({ tool: shell, rawArgs: { Command: "pwd; echo err >&2; exit 3" }, ctx });
  assert.equal(result.isError, false);
  assert.match(result.content, new RegExp(`^${sessionDir}\nerr\n\nExit code: 3$`));
  const sub = await runTool({ tool: shell, rawArgs: { command: "pwd", workingDirectory: "sub" }, ctx });
  assert.match(sub.content, /\/session\/sub\n\nExit code: 0$/);
  const missing = await runTool({ tool: shell, rawArgs: { Command: "pwd", WorkingDirectory: "nope" }, ctx });
  assert.equal(missing.isError, true);
  assert.match(missing.content, /does not exist/);
});

test("stdin is closed and NETCLAW_ variables are not passed on", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const result = await runTool({
    tool: shell,
    rawArgs: { Command: "cat; env | grep -c NETCLAW_Providers || true" },
    ctx: testContext({ sessionDir }),
  });
  assert.equal(result.content, "0\n\nExit code: 0");
});

test("bad arguments come back as a correctable error, not an exception", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const result = await runTool({ tool: shell, rawArgs: '{"Command": 5}', ctx: testContext({ sessionDir }) });
  assert.equal(result.isError, true);
  assert.match(result.content, /Invalid arguments for shell_execute: Command: .*Fix the arguments/);
  const notJson = await runTool({ tool: shell, rawArgs: "{not json", ctx: testContext({ sessionDir }) });
  assert.match(notJson.content, /not valid JSON/);
});

test("a command that ignores SIGTERM is killed with its whole tree at the timeout", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const pids = join(sessionDir, "pids");
  const started = Date.now();
  const result = await runTool({
    tool: shell,
    rawArgs: { Command: `trap '' TERM; sleep 60 & echo "$$ $!" > ${pids}; wait; sleep 60` },
    ctx: testContext({ sessionDir, timeoutMs: 700 }),
  });
  assert.equal(result.isError, true);
  assert.match(result.content, /Timed out after 1 s; the command and every process it started were killed/);
  assert.ok(Date.now() - started < 5000);
  for (const pid of (await waitForFile(pids)).split(" ").map(Number))
    assert.equal(alive(pid), false, `pid ${pid}`);
});

test("a fork that outlives its parent is killed when the command returns", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const pidFile = join(sessionDir, "fork");
  const result = await runTool({
    tool: shell,
    rawArgs: {
      Command: `(trap '' TERM; sleep 60) > /dev/null 2>&1 & echo $! > ${pidFile}; set -m; (sleep 61.4242 &) ; echo done`,
    },
    ctx: testContext({ sessionDir, timeoutMs: 10_000 }),
  });
  assert.match(result.content, /done\n\nExit code: 0/);
  const pid = Number(await waitForFile(pidFile));
  for (let i = 0; i < 50 && alive(pid); i++) await delay(20);
  assert.equal(alive(pid), false);
  const { execFileSync } = await import("node:child_process");
  const leftovers = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n");
  assert.equal(leftovers.filter((line) => line.trim() === "sleep 61.4242").length, 0);
});

test("cancellation kills the tree", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const controller = new AbortController();
  const pidFile = join(sessionDir, "pid");
  const running = runTool({
    tool: shell,
    rawArgs: { Command: `sleep 60 & echo $! > ${pidFile}; wait` },
    ctx: testContext({ sessionDir, signal: controller.signal }),
  });
  const pid = Number(await waitForFile(pidFile));
  controller.abort();
  const result = await running;
  assert.match(result.content, /^Cancelled/);
  assert.equal(alive(pid), false);
});

test("very long output is cut to head + tail and spilled in full", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  const result = await runTool({
    tool: shell,
    rawArgs: { Command: "echo START; head -c 200000 /dev/zero | tr '\\0' a; echo; echo END" },
    ctx,
    maxOutputChars: 32_000,
  });
  assert.ok(result.content.length <= 32_000);
  assert.match(result.content, /^START\n/);
  assert.match(result.content, /END\n\nExit code: 0$/);
  assert.match(result.content, /tool_output_read \(CallId "call_/);
  const spilled = readFileSync(join(sessionDir, "tool-calls", `${ctx.callId}.txt`), "utf8");
  assert.ok(spilled.length > 200_000);
  assert.match(spilled, /^START\na{200000}\nEND\n\nExit code: 0$/);
});

test("gigantic output is bounded in memory; binary output reaches the model as printable text", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  const huge = await runTool({
    tool: shell,
    rawArgs: { Command: "head -c 50000000 /dev/zero | tr '\\0' b" },
    ctx,
  });
  assert.ok(huge.content.length <= 32_000);
  const spilled = readFileSync(join(sessionDir, "tool-calls", `${ctx.callId}.txt`), "utf8");
  assert.ok(spilled.length < 5_000_000);
  assert.ok(/\[… \d+ bytes of output dropped …\]/.test(spilled), "marks the dropped middle");
  const binary = await runTool({
    tool: shell,
    rawArgs: { Command: "head -c 4000 /dev/urandom" },
    ctx: testContext({ sessionDir }),
  });
  const controls = [...binary.content].filter((c) => c.charCodeAt(0) < 32 && !"\t\n\r".includes(c));
  assert.equal(controls.length, 0);
  assert.match(binary.content, /Exit code: 0$/);
});

test("secrets in output are redacted before the model or the spill file sees them", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const result = await runTool({
    tool: shell,
    rawArgs: {
      Command:
        "echo OPENAI_API_KEY=sk-proj-abcdefghijklmnop123456; echo 'Authorization: Bearer abcdefgh12345678'",
    },
    ctx: testContext({ sessionDir }),
  });
  assert.doesNotMatch(result.content, /abcdefghijklmnop123456|abcdefgh12345678/);
  assert.match(result.content, /Bearer \*\*\*REDACTED\*\*\*/);
});
