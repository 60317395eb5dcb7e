import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { tempHomes } from "./helpers/processes.ts";
import { apiClient, openEventStream } from "./helpers/sse-client.ts";
import { createToolModel, runToolTurn, startToolDaemon, type ToolModel } from "./helpers/tool-turns.ts";

const homes = tempHomes();
let model: ToolModel;

before(async () => {
  model = await createToolModel();
});
after(async () => {
  await model?.upstream.close();
  homes.cleanup();
});

// The approval journal: a prompt still waiting when the daemon stops is announced again after
// the restart, the requester answers it, and the call runs and the turn goes on.
describe("a pending approval survives a daemon restart", () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    test(`stopped with ${signal}`, async () => {
      const home = homes.home();
      const extra = { NETCLAW_Daemon__ShutdownDrainSeconds: "1" };
      const first = await startToolDaemon({ home, model, extra });
      const target = join(home, "workspaces", "after-restart");
      mkdirSync(join(home, "workspaces"), { recursive: true });
      const callId = `c_restart_${signal}`;
      let sessionId = "";
      let lastSeen = 0;
      try {
        sessionId = await apiClient(first.url).createSession();
        const turn = await runToolTurn({
          daemon: first,
          sessionId,
          text: model.script([
            { name: "shell_execute", arguments: { Command: `mkdir ${target}` }, id: callId },
          ]),
          until: (event) => event.type === "approval_requested",
        });
        assert.equal(turn.approvals[0]?.callId, callId);
        lastSeen = turn.seen.at(-1)!.id;
      } finally {
        if (signal === "SIGKILL") first.child.kill("SIGKILL");
        await first.stop();
      }
      assert.equal(existsSync(target), false, "not run before the answer");

      const second = await startToolDaemon({ home, model, extra });
      try {
        const api = apiClient(second.url);
        const stream = await openEventStream({
          url: `${second.url}/api/sessions/${sessionId}/events`,
          lastEventId: lastSeen,
        });
        const announced = await stream.until((e) => e.type === "approval_requested" && e.callId === callId);
        assert.ok(announced.length > 0);
        const answer = await api.call("POST", `/api/sessions/${sessionId}/approvals/${callId}`, {
          decision: "approve_once",
        });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const rest = await stream.until((e) => e.type === "turn_completed");
        await stream.close();
        const result = rest.find((e) => e.type === "tool_result" && e.callId === callId);
        assert.ok(result?.type === "tool_result" && !result.isError, JSON.stringify(result));
        assert.equal(existsSync(target), true, "the approved call ran after the restart");
        const done = rest.findLast((e) => e.type === "turn_completed");
        assert.ok(done?.type === "turn_completed" && done.status === "completed");
        const again = await api.call("POST", `/api/sessions/${sessionId}/approvals/${callId}`, {
          decision: "approve_once",
        });
        assert.equal(again.status, 404, "answered once only");
      } finally {
        await second.stop();
      }
    });
  }
});

test("the working directory and its project instructions stay in the prompt after a restart", async () => {
  const home = homes.home();
  const project = join(home, "workspaces", "kept");
  mkdirSync(join(project, ".netclaw"), { recursive: true });
  writeFileSync(join(project, ".netclaw", "AGENTS.md"), "Deploy with make ship. KEPT-MARKER-5521\n");
  const first = await startToolDaemon({ home, model });
  let sessionId = "";
  try {
    sessionId = await apiClient(first.url).createSession();
    const turn = await runToolTurn({
      daemon: first,
      sessionId,
      text: model.script([{ name: "set_working_directory", arguments: { Path: project } }]),
    });
    assert.equal(turn.results[0]?.isError, false, turn.results[0]?.result);
  } finally {
    await first.stop();
  }
  const second = await startToolDaemon({ home, model });
  try {
    const text = model.script([{ name: "shell_execute", arguments: { Command: "pwd" }, id: "c_pwd" }]);
    const turn = await runToolTurn({ daemon: second, sessionId, text });
    const request = model.upstream.requests.find((r) => r.lastUserText === text);
    assert.ok(request?.rawBody.includes("KEPT-MARKER-5521"), "instructions in the prompt after the restart");
    const pwd = turn.results.find((r) => r.callId === "c_pwd");
    assert.equal(pwd?.result.trim().split("\n")[0], project, "commands start in the project");
  } finally {
    await second.stop();
  }
});
