import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningDaemon } from "./helpers/processes.ts";
import { tempHome } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";
import {
  createToolModel,
  resultOf,
  runToolTurn,
  startToolDaemon,
  type ToolModel,
} from "./helpers/tool-turns.ts";

// reference/security.md §5 through the daemon: each attempt is denied, contained or killed, no
// secret comes back, and the daemon keeps serving. A short tool timeout for the kill cases.
const home = tempHome();
let model: ToolModel;
let daemon: RunningDaemon;
let api: ReturnType<typeof apiClient>;
let sessionId: string;
const workspace = join(home.home, "workspaces", "adv");
const secretsFile = join(home.home, "config", "secrets.json");

before(async () => {
  model = await createToolModel();
  daemon = await startToolDaemon({
    home: home.home,
    model,
    extra: { NETCLAW_Session__ToolExecutionTimeoutSeconds: "2" },
  });
  api = apiClient(daemon.url);
  mkdirSync(workspace, { recursive: true });
  symlinkSync(secretsFile, join(workspace, "innocent.json"));
  symlinkSync(join(home.home, "keys"), join(workspace, "notes"));
  sessionId = await api.createSession();
});
after(async () => {
  await daemon?.stop();
  await model?.upstream.close();
  home.cleanup();
});

const shell = (command: string) => ({ name: "shell_execute", arguments: { Command: command } });
const read = (path: string) => ({ name: "file_read", arguments: { Path: path } });

/** Runs one call; approvals are answered with `answer` (deny by default). */
async function attempt(call: { name: string; arguments: Record<string, unknown> }, answer = "deny") {
  const turn = await runToolTurn({ daemon, sessionId, text: model.script([call]), onApproval: () => answer });
  const result = turn.results[0];
  assert.ok(result, "the call has a result");
  return { result, approvals: turn.approvals };
}

/** Alive and not a zombie (an orphan killed under a PID 1 that does not reap stays a zombie). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

function assertNoSecret(text: string) {
  assert.doesNotMatch(text, /ENC:v1:|"DeviceToken"/);
  assert.ok(
    !text.includes(
      readFileSync(join(home.home, "keys", "local-control.key"))
        .toString("base64")
        .slice(0, 16),
    ),
  );
}

describe("adversarial tool calls through the daemon", () => {
  const denials: [string, { name: string; arguments: Record<string, unknown> }][] = [
    ["../ escape to config/secrets.json", read("../../config/secrets.json")],
    ["absolute path into keys/", read(join(home.home, "keys", "local-control.key"))],
    ["symlink in a workspace pointing at secrets.json", read(join(workspace, "innocent.json"))],
    ["symlink in a workspace pointing at keys/", read(join(workspace, "notes", "local-control.key"))],
    ["file_write into config/", { name: "file_write", arguments: { Path: secretsFile, Content: "{}" } }],
    ["ls; sudo …", shell("ls; sudo id")],
    ["env X=1 sudo …", shell("env X=1 sudo id")],
    ["echo $(cat …/secrets.json)", shell(`echo $(cat ${secretsFile})`)],
    ["backticks", shell(`echo \`cat ${join(home.home, "keys", "local-control.key")}\``)],
    ["rm -rf ~", shell("rm -rf ~")],
  ];
  for (const [name, call] of denials) {
    test(`${name}: denied without a prompt`, async () => {
      const { result, approvals } = await attempt(call);
      assert.deepEqual(approvals, [], "never approvable");
      assert.equal(result.isError, true);
      assert.match(result.result, /denied|protected|not allowed|outside/i);
      assertNoSecret(result.result);
    });
  }

  test("a pipe into sh is only ever offered once/deny", async () => {
    const { result, approvals } = await attempt(shell("echo id | sh"));
    if (approvals.length > 0) assert.deepEqual(approvals[0]!.options, ["approve_once", "deny"]);
    assert.equal(result.isError, true);
  });

  test("a command that ignores SIGTERM, and a child that outlives it, are killed at the timeout", async () => {
    const pids = join(workspace, "pids");
    const { result } = await attempt(
      shell(`(trap "" TERM; sleep 60) & echo $! > ${pids}; trap "" TERM; sleep 60`),
      "approve_once",
    );
    assert.equal(result.isError, true);
    assert.match(result.result, /timed out|timeout/i);
    const child = Number(readFileSync(pids, "utf8").trim());
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!isRunning(child), `the background child ${child} is gone`);
  });

  test("very long output is cut, spilled, and readable with tool_output_read", async () => {
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([{ ...shell("seq 1 200000"), id: "c_long" }]),
      onApproval: () => "approve_once",
    });
    const cut = resultOf(turn.results, "c_long");
    assert.match(cut.result, /characters omitted\. Read the full output with tool_output_read/);
    assert.ok(cut.result.length <= 33_000);
    const back = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([
        {
          name: "tool_output_read",
          arguments: { CallId: "c_long", Start: 500_000, Limit: 100 },
          id: "c_back",
        },
      ]),
    });
    const window = resultOf(back.results, "c_back");
    assert.equal(window.isError, false, window.result);
    assert.match(window.result, /\d{5,6}\n\d{5,6}/);
  });

  test("binary output comes back as text and the daemon keeps serving", async () => {
    const { result } = await attempt(shell("head -c 4000 /dev/urandom"), "approve_once");
    assert.equal(typeof result.result, "string");
    const health = await fetch(`${daemon.url}/api/health/ready`);
    assert.equal(health.status, 200);
    const ok = await attempt(shell("echo still-here"));
    assert.match(ok.result.result, /still-here/);
  });
});
