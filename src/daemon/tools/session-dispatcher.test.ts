import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { ApprovalOption } from "../../protocol/events.ts";
import { createToolOperations } from "./operations.ts";
import { PERSONAL, policyFixture } from "./policy/fixtures/policy.ts";
import { createApprovalWaiter, createSessionToolDispatcher } from "./session-dispatcher.ts";
import type { ToolEffects } from "./tool.ts";
import { createToolRunner, type ToolSession } from "./tool-runner.ts";

test("only the call that needs approval waits; the answer arrives through the waiter; effects reach the session", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const runner = createToolRunner({
    tools: f.tools,
    policy: f.policy,
    ops: createToolOperations(),
    maxOutputChars: 32_000,
  });
  const state: ToolSession = {
    sessionId: "s1",
    audience: "Personal",
    sessionDir: f.sessionDir,
    workingDirectory: f.sessionDir,
    unattended: false,
  };
  const approvals = createApprovalWaiter();
  const effects: ToolEffects[] = [];
  const dispatcher = createSessionToolDispatcher({
    runner,
    session: () => state,
    approvals,
    onEffects: (e) => {
      effects.push(e);
      if (e.workingDirectory) state.workingDirectory = e.workingDirectory.path;
    },
  });
  assert.ok(dispatcher.definitions().some((d) => d.name === "shell_execute"));
  const project = join(f.root, "project");
  mkdirSync(project);
  writeFileSync(join(project, "AGENTS.md"), "be careful");
  const requested: { summary: string; options: ApprovalOption[] }[] = [];
  const context = {
    sessionId: "s1",
    signal: new AbortController().signal,
    requestApproval: (r: { summary: string; options: ApprovalOption[] }) => requested.push(r),
  };
  const waiting = dispatcher.dispatch(
    { id: "call_wait", name: "shell_execute", arguments: { Command: "touch approved.txt && echo made" } },
    context,
  );
  const other = await dispatcher.dispatch(
    { id: "call_cd", name: "set_working_directory", arguments: { Path: project } },
    context,
  );
  assert.equal(
    other.result,
    `Working directory set to ${project}. Loaded project instructions from AGENTS.md.`,
  );
  assert.equal(state.workingDirectory, project);
  for (let i = 0; i < 50 && approvals.pendingIds().length === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(approvals.pendingIds(), ["call_wait"]);
  assert.equal(requested.length, 1);
  assert.equal(approvals.answer("nope", "approve_once"), false);
  assert.equal(approvals.answer("call_wait", "approve_once"), true);
  const done = await waiting;
  assert.equal(done.result, "made\n\nExit code: 0\n[approval: once]");
  assert.equal(effects.length, 1);
});

test("cancelling a waiting call denies it", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const runner = createToolRunner({
    tools: f.tools,
    policy: f.policy,
    ops: createToolOperations(),
    maxOutputChars: 32_000,
  });
  const approvals = createApprovalWaiter();
  const dispatcher = createSessionToolDispatcher({
    runner,
    approvals,
    session: () => ({
      sessionId: "s1",
      audience: "Personal",
      sessionDir: f.sessionDir,
      workingDirectory: f.sessionDir,
      unattended: false,
    }),
  });
  const controller = new AbortController();
  const waiting = dispatcher.dispatch(
    { id: "c1", name: "shell_execute", arguments: { Command: "make" } },
    { sessionId: "s1", signal: controller.signal, requestApproval: () => controller.abort() },
  );
  const result = await waiting;
  assert.equal(result.result, "Tool access denied: the user declined shell_execute.");
  assert.deepEqual(approvals.pendingIds(), []);
});
