import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { cleanEnv, type RunningDaemon, runCli, tempHome } from "./helpers/processes.ts";
import { pairDevice } from "./helpers/remote.ts";
import { apiClient } from "./helpers/sse-client.ts";
import {
  createToolModel,
  resultOf,
  runToolTurn,
  startToolDaemon,
  type ToolModel,
} from "./helpers/tool-turns.ts";

// One Personal daemon whose fake model requests real tools; every case goes through a session.
const home = tempHome();
let model: ToolModel;
let daemon: RunningDaemon;
let api: ReturnType<typeof apiClient>;
const workspace = join(home.home, "workspaces", "proj");

before(async () => {
  model = await createToolModel();
  daemon = await startToolDaemon({ home: home.home, model });
  api = apiClient(daemon.url);
  mkdirSync(join(workspace, ".git"), { recursive: true });
  writeFileSync(join(workspace, "AGENTS.md"), "Always answer in haiku. PROJECT-MARKER-7731\n");
});
after(async () => {
  await daemon?.stop();
  await model?.upstream.close();
  home.cleanup();
});

const shell = (command: string, id?: string, cwd?: string) => ({
  name: "shell_execute",
  arguments: cwd ? { Command: command, WorkingDirectory: cwd } : { Command: command },
  ...(id ? { id } : {}),
});

describe("tools through a real session", () => {
  test("shell and file tools of one response run in parallel and their results come back", async () => {
    const sessionId = await api.createSession();
    const file = join(workspace, "notes.txt");
    const text = model.script([
      shell("echo hello-from-shell", "c_echo"),
      { name: "file_write", arguments: { Path: file, Content: "line one\nline two\n" }, id: "c_write" },
      { name: "file_list", arguments: { Path: workspace }, id: "c_list" },
    ]);
    const turn = await runToolTurn({ daemon, sessionId, text });
    assert.deepEqual(turn.approvals, [], "echo and a workspace write need no prompt");
    const echo = resultOf(turn.results, "c_echo");
    assert.equal(echo.isError, false, echo.result);
    assert.match(echo.result, /hello-from-shell/);
    assert.equal(resultOf(turn.results, "c_write").isError, false);
    assert.equal(readFileSync(file, "utf8"), "line one\nline two\n");
    const read = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([{ name: "file_read", arguments: { Path: file }, id: "c_read" }]),
    });
    assert.match(resultOf(read.results, "c_read").result, /line two/);
    const done = turn.seen.find((e) => e.type === "turn_completed");
    assert.ok(done?.type === "turn_completed" && done.status === "completed");
  });

  test("attach_file hands the file over as an attachment event", async () => {
    const sessionId = await api.createSession();
    const file = join(workspace, "report.txt");
    writeFileSync(file, "x".repeat(2048));
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([{ name: "attach_file", arguments: { Path: file }, id: "c_att" }]),
    });
    assert.equal(resultOf(turn.results, "c_att").isError, false, resultOf(turn.results, "c_att").result);
    const attachment = turn.seen.find((e) => e.type === "attachment");
    assert.ok(attachment?.type === "attachment");
    assert.equal(attachment.displayName, "report.txt");
    assert.equal(attachment.sizeBytes, 2048);
    assert.equal(attachment.path, file);
    assert.ok(
      (await api.transcript(sessionId)).some((e) => e.type === "attachment"),
      "stored",
    );
  });

  test("set_working_directory puts the project's instructions into the next prompt", async () => {
    const sessionId = await api.createSession();
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([{ name: "set_working_directory", arguments: { Path: workspace }, id: "c_cd" }]),
    });
    assert.equal(resultOf(turn.results, "c_cd").isError, false, resultOf(turn.results, "c_cd").result);
    const followUp = model.upstream.requests.filter((r) => r.endsWithToolResult).at(-1);
    assert.ok(followUp?.rawBody.includes("PROJECT-MARKER-7731"), "instructions reach the model");
  });

  test("an approval answered over the API: once, this session, always here", async () => {
    const sessionId = await api.createSession();
    const cmd = `mkdir -p ${join(workspace, "made")}`;
    const once = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(cmd, "c_once", workspace)]), // inside a git repository
      onApproval: () => "approve_once",
    });
    assert.equal(once.approvals.length, 1);
    assert.deepEqual(once.approvals[0]!.options, [
      "approve_once",
      "approve_session",
      "approve_always",
      "approve_repository",
      "approve_everywhere",
      "deny",
    ]);
    assert.ok(once.seen.some((e) => e.type === "approval_resolved" && e.decision === "approve_once"));
    assert.match(resultOf(once.results, "c_once").result, /\[approval: once\]/);
    assert.deepEqual(
      once.answers.map((a) => a.status),
      [200],
    );

    const session = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(cmd, "c_sess")]),
      onApproval: () => "approve_session",
    });
    assert.equal(session.approvals.length, 1, "once does not outlive its call");
    const again = await runToolTurn({ daemon, sessionId, text: model.script([shell(cmd, "c_sess2")]) });
    assert.deepEqual(again.approvals, [], "this session: no second prompt");
    assert.equal(resultOf(again.results, "c_sess2").isError, false);

    const other = await api.createSession();
    const touch = `touch ${join(workspace, "made", "f")}`;
    const always = await runToolTurn({
      daemon,
      sessionId: other,
      text: model.script([shell(touch, "c_alw", workspace)]),
      onApproval: () => "approve_always",
    });
    assert.match(resultOf(always.results, "c_alw").result, /\[approval: always in this folder\]/);
    const grants = readFileSync(join(home.home, "config", "tool-approvals.json"), "utf8");
    assert.match(grants, /touch/);
    const third = await api.createSession();
    const later = await runToolTurn({
      daemon,
      sessionId: third,
      text: model.script([shell(touch, "c_alw2", workspace)]),
    });
    assert.deepEqual(later.approvals, [], "always: no prompt in a new session");
  });

  test("unoffered options are 400, unknown calls 404, and `bash -c` is never offered always", async () => {
    const sessionId = await api.createSession();
    let status400: number | undefined;
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(`bash -c "mkdir -p ${join(workspace, "x")}"`, "c_bash")]),
      onApproval: (event) => {
        void api
          .call("POST", `/api/sessions/${sessionId}/approvals/${event.callId}`, {
            decision: "approve_always",
          })
          .then(async (r) => {
            status400 = r.status;
            await api.call("POST", `/api/sessions/${sessionId}/approvals/${event.callId}`, {
              decision: "deny",
            });
          });
        return undefined;
      },
    });
    assert.deepEqual(turn.approvals[0]?.options, ["approve_once", "deny"]);
    assert.equal(status400, 400);
    assert.match(resultOf(turn.results, "c_bash").result, /declined/);
    const unknown = await api.call("POST", `/api/sessions/${sessionId}/approvals/nope`, { decision: "deny" });
    assert.equal(unknown.status, 404);
    const badBody = await api.call("POST", `/api/sessions/${sessionId}/approvals/nope`, {
      decision: "maybe",
    });
    assert.equal(badBody.status, 400);
  });

  test("only the requester may answer: another device gets 403, the local operator who asked succeeds", async () => {
    const token = await pairDevice({ url: daemon.url, home: home.home, name: "phone" });
    const sessionId = await api.createSession();
    const statuses: number[] = [];
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(`mkdir -p ${join(workspace, "req")}`, "c_req")]),
      onApproval: (event) => {
        const path = `/api/sessions/${sessionId}/approvals/${event.callId}`;
        void api
          .call("POST", path, { decision: "approve_once" }, { authorization: `Bearer ${token}` })
          .then(async (r) => {
            statuses.push(r.status);
            statuses.push((await api.call("POST", path, { decision: "approve_once" })).status);
          });
        return undefined;
      },
    });
    assert.deepEqual(statuses, [403, 200]);
    assert.equal(resultOf(turn.results, "c_req").isError, false);
  });

  test("a new message supersedes a waiting prompt: denied, and the turn goes on", async () => {
    const sessionId = await api.createSession();
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(`mkdir -p ${join(workspace, "sup")}`, "c_sup")]),
      onApproval: () => {
        void api.send(sessionId, "never mind");
        return undefined;
      },
      until: (event) => event.type === "turn_completed" && event.turnNumber === 2,
    });
    assert.ok(turn.seen.some((e) => e.type === "approval_resolved" && e.decision === "deny"));
    assert.equal(resultOf(turn.results, "c_sup").isError, true);
    assert.ok(turn.seen.some((e) => e.type === "user_message" && e.text === "never mind"));
  });

  test("only the waiting call waits: the other calls of the response finish first", async () => {
    const sessionId = await api.createSession();
    let resultsBeforeAnswer = -1;
    const seenResults: string[] = [];
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([
        shell(`mkdir -p ${join(workspace, "w")}`, "c_wait"),
        shell("echo quick", "c_quick"),
      ]),
      onApproval: () => undefined,
      until: (event) => {
        if (event.type === "tool_result") seenResults.push(event.callId);
        if (event.type === "tool_result" && event.callId === "c_quick") {
          resultsBeforeAnswer = seenResults.length;
          void api.call("POST", `/api/sessions/${sessionId}/approvals/c_wait`, { decision: "approve_once" });
        }
        return event.type === "turn_completed";
      },
    });
    assert.equal(resultsBeforeAnswer, 1, "echo finished while mkdir waited");
    assert.equal(resultOf(turn.results, "c_wait").isError, false);
  });

  test("an unattended (headless) run denies a would-prompt call with the exact text", async () => {
    const sessionId = await api.createSession({ channel: "headless" });
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([shell(`mkdir -p ${join(workspace, "u")}`, "c_un")]),
    });
    assert.deepEqual(turn.approvals, []);
    const result = resultOf(turn.results, "c_un");
    assert.equal(result.isError, true);
    assert.equal(
      result.result,
      'Tool access denied: shell_execute needs approval, and nobody can answer a prompt in an unattended run. Grant it beforehand from an interactive chat (an "always" answer) or with `netclaw approvals trust-verb`, or do this step without shell_execute.',
    );
  });

  test("a verb trusted with `netclaw approvals trust-verb` runs in an unattended session", async () => {
    const env = cleanEnv({ NETCLAW_HOME: home.home });
    const trust = await runCli(["approvals", "trust-verb", "mkdir", "--dir", workspace], env);
    assert.equal(trust.code, 0, trust.stderr);
    try {
      const sessionId = await api.createSession({ channel: "headless" });
      const turn = await runToolTurn({
        daemon,
        sessionId,
        text: model.script([shell("mkdir -p trusted", "c_trusted", workspace)]),
      });
      const result = resultOf(turn.results, "c_trusted");
      assert.equal(result.isError, false, result.result);
    } finally {
      await runCli(["approvals", "revoke", `mkdir in ${workspace}`], env);
    }
  });
});
