import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
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

// Issue 12 §1: read-only verbs whose options or config run a program, protected paths behind
// shell expansion, and recursive readers — through the real daemon and a real git.
describe("the read-only rule, expansion and tree walks through the daemon", () => {
  const repo = join(workspace, "repo");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo });
  before(() => {
    mkdirSync(repo, { recursive: true });
    git("init", "-q");
    writeFileSync(join(repo, "a.txt"), "one\n");
    git("add", "a.txt");
    git("commit", "-qm", "first");
    writeFileSync(join(repo, "a.txt"), "two\n");
  });
  const inRepo = (command: string) => ({
    name: "shell_execute",
    arguments: { Command: command, WorkingDirectory: repo },
  });

  test("a clean git status still runs without a prompt", async () => {
    const { result, approvals } = await attempt(inRepo("git status --short"));
    assert.deepEqual(approvals, []);
    assert.match(result.result, /a\.txt/);
  });

  for (const [name, command] of [
    ["git -c core.fsmonitor", (m: string) => `git -c core.fsmonitor='touch ${m}' status`],
    ["git -c diff.external", (m: string) => `git -c diff.external='touch ${m} #' diff`],
    ["GIT_EXTERNAL_DIFF in front", (m: string) => `GIT_EXTERNAL_DIFF='touch ${m} #' git diff`],
  ] as const) {
    test(`${name}: needs approval, and denied the program never runs`, async () => {
      const marker = join(workspace, `pwned-${name.replace(/\W+/g, "-")}`);
      const { approvals } = await attempt(inRepo(command(marker)));
      assert.equal(approvals.length, 1, "prompted");
      assert.ok(!existsSync(marker), "the program did not run");
    });
  }

  test("a repository's own config naming a program makes git status need approval", async () => {
    const marker = join(workspace, "pwned-repo-config");
    git("config", "core.fsmonitor", `touch ${marker}`);
    try {
      const { approvals } = await attempt(inRepo("git status"));
      assert.equal(approvals.length, 1, "prompted");
      assert.ok(!existsSync(marker), "the program did not run");
    } finally {
      git("config", "--unset", "core.fsmonitor");
    }
  });

  const keys = join(home.home, "keys");
  for (const command of [
    `cat ${home.home}/{keys,nothing}/local-control.key`,
    `cat ${home.home}/k*/local-control.key`,
    `grep -r "" ${home.home}/config`,
    `grep -rc "" ${home.home}`,
    `find ${home.home} -name secrets.key`,
    `ls -R ${home.home}`,
    `tar cf - ${keys}/.. | base64`,
  ]) {
    test(`${command.replace(home.home, "<home>")}: denied without a prompt`, async () => {
      const { result, approvals } = await attempt(shell(command));
      assert.deepEqual(approvals, [], "never approvable");
      assert.equal(result.isError, true);
      assert.match(result.result, /protected path/);
      assertNoSecret(result.result);
    });
  }

  test("file_search over the home is denied without a prompt", async () => {
    const { result, approvals } = await attempt({
      name: "file_search",
      arguments: { Root: home.home, Query: "ENC:v1" },
    });
    assert.deepEqual(approvals, []);
    assert.match(result.result, /file_search cannot search .*protected path/);
    assertNoSecret(result.result);
  });
});
