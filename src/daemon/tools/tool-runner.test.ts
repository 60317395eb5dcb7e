import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { ApprovalOption } from "../../protocol/events.ts";
import { createToolOperations } from "./operations.ts";
import { PERSONAL, policyFixture } from "./policy/fixtures/policy.ts";
import { createValueRedactor } from "./policy/redaction.ts";
import { createToolRunner, type ToolSession } from "./tool-runner.ts";

// The runner's limit is generous by default: a busy machine must not turn a slow spawn into a
// failure. Only the timeout test itself lowers it.
function fixture(t: Parameters<typeof policyFixture>[0], config: unknown = PERSONAL, timeoutSeconds = 120) {
  const f = policyFixture(t, { config });
  const runner = createToolRunner({
    tools: f.tools,
    policy: f.policy,
    ops: createToolOperations(),
    maxOutputChars: 2000,
    timeoutSeconds,
  });
  const session: ToolSession = {
    sessionId: "s1",
    audience: "Personal",
    sessionDir: f.sessionDir,
    workingDirectory: f.sessionDir,
    unattended: false,
  };
  const prompts: { summary: string; options: ApprovalOption[] }[] = [];
  const run = (
    call: { id?: string; name: string; arguments: unknown },
    answer: ApprovalOption = "deny",
    overrides: Partial<ToolSession> = {},
  ) =>
    runner.run(
      { id: call.id ?? "call_1", name: call.name, arguments: call.arguments },
      {
        session: { ...session, ...overrides },
        signal: new AbortController().signal,
        requestApproval: async (request) => {
          prompts.push(request);
          return answer;
        },
      },
    );
  return { ...f, runner, run, prompts };
}

test("definitions list only the audience's visible tools", (t) => {
  const f = fixture(t);
  const names = (audience: ToolSession["audience"]) =>
    f.runner.definitions({ audience, sessionDir: f.sessionDir }).map((d) => d.name);
  assert.ok(names("Personal").includes("shell_execute"));
  assert.deepEqual(names("Public").sort(), ["attach_file", "file_list", "file_read", "tool_output_read"]);
});

test("unknown and invisible tools, bad arguments and denials come back as error results", async (t) => {
  const f = fixture(t);
  const unknown = await f.run({ name: "rm_everything", arguments: {} });
  assert.match(unknown.result, /^Unknown tool 'rm_everything'\. Available tools: /);
  const invisible = await f.run({ name: "shell_execute", arguments: { Command: "ls" } }, "deny", {
    audience: "Public",
  });
  assert.match(invisible.result, /^Unknown tool 'shell_execute'/);
  const bad = await f.run({ name: "file_read", arguments: { Path: 3 } });
  assert.match(bad.result, /Invalid arguments for file_read: Path/);
  const hard = await f.run(
    { name: "shell_execute", arguments: { Command: "ls; sudo id", _rationale: "x" } },
    "approve_once",
  );
  assert.match(hard.result, /never allowed \(privilege escalation/);
  assert.equal(f.prompts.length, 0, "a hard deny never prompts");
});

test("approval: the answer decides; the result says which approval applied", async (t) => {
  const f = fixture(t);
  const declined = await f.run({ name: "shell_execute", arguments: { Command: "touch made.txt" } }, "deny");
  assert.equal(declined.result, "Tool access denied: the user declined shell_execute.");
  assert.equal(f.prompts.length, 1);
  assert.match(f.prompts[0]!.summary, /touch made\.txt/);
  const once = await f.run(
    { name: "shell_execute", arguments: { Command: "touch made.txt && echo ok" } },
    "approve_once",
  );
  assert.equal(once.result, "ok\n\nExit code: 0\n[approval: once]");
  const session = await f.run(
    { name: "shell_execute", arguments: { Command: "touch b.txt" } },
    "approve_session",
  );
  assert.match(session.result, /\[approval: this chat only\]$/);
  const again = await f.run({ name: "shell_execute", arguments: { Command: "touch c.txt" } }, "deny");
  assert.equal(again.result, "Exit code: 0", "covered by the chat grant, no prompt");
  const unattended = await f.run({ name: "shell_execute", arguments: { Command: "make" } }, "approve_once", {
    unattended: true,
    sessionId: "other",
  });
  assert.match(
    unattended.result,
    /^Tool access denied: shell_execute needs approval, and nobody can answer a prompt in an unattended run\./,
  );
  const unoffered = await f.run(
    { name: "shell_execute", arguments: { Command: "bash -c 'make'" } },
    "approve_everywhere",
  );
  assert.equal(unoffered.result, "Tool access denied: the user declined shell_execute.");
});

test("meta arguments are stripped; _timeout_seconds can only raise the timeout; long output spills", async (t) => {
  const f = fixture(
    t,
    {
      ...PERSONAL,
      Tools: {
        AudienceProfiles: { Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } } },
      },
    },
    1,
  );
  const slow = await f.run({
    name: "shell_execute",
    arguments: { Command: "sleep 1.5; echo done", _timeout_seconds: 120, _rationale: "wait" },
  });
  assert.equal(slow.result, "done\n\nExit code: 0");
  const capped = await f.run({
    name: "shell_execute",
    arguments: { Command: "sleep 60", _timeout_seconds: 0.1 },
  });
  assert.match(capped.result, /Timed out after 1 s/);
  const long = await f.run({
    id: "weird:id/1",
    name: "shell_execute",
    arguments: { Command: "seq 1 5000", _timeout_seconds: 120 },
  });
  assert.ok(long.result.length <= 2000);
  const id = /CallId "([^"]+)"/.exec(long.result)?.[1];
  assert.match(id ?? "", /^call_[0-9a-f]{24}$/);
  const page = await f.run({ name: "tool_output_read", arguments: { CallId: id, Start: 0, Limit: 10 } });
  assert.match(page.result, /^1\n2\n3\n4\n5\n/);
  assert.match(
    readFileSync(join(f.sessionDir, "tool-calls", `${id}.txt`), "utf8"),
    /\n5000\n\nExit code: 0$/,
  );
});

test("100 calls of one response run in parallel safely", async (t) => {
  const f = fixture(t, {
    ...PERSONAL,
    Tools: {
      AudienceProfiles: { Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } } },
    },
  });
  writeFileSync(join(f.sessionDir, "counter.txt"), Array.from({ length: 50 }, (_, i) => `<${i}>`).join("\n"));
  const calls = Array.from({ length: 100 }, (_, i) =>
    i % 2 === 0
      ? f.run({ id: `c${i}`, name: "shell_execute", arguments: { Command: `echo call-${i}` } })
      : f.run({
          id: `c${i}`,
          name: "file_edit",
          arguments: { Path: "counter.txt", OldString: `<${(i - 1) / 2}>`, NewString: `[${i}]` },
        }),
  );
  const results = await Promise.all(calls);
  results.forEach((r, i) => {
    assert.equal(r.isError, false, r.result);
    if (i % 2 === 0) assert.equal(r.result, `call-${i}\n\nExit code: 0`);
  });
  assert.doesNotMatch(readFileSync(join(f.sessionDir, "counter.txt"), "utf8"), /</);
});

test("planted secrets never reach a result or a spill file", async (t) => {
  const f = policyFixture(t, {
    config: {
      ...PERSONAL,
      Tools: {
        AudienceProfiles: { Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } } },
      },
    },
  });
  const configured = "plain-configured-secret-value-42";
  const audit: unknown[] = [];
  const runner = createToolRunner({
    tools: f.tools,
    policy: f.policy,
    ops: createToolOperations(),
    maxOutputChars: 1000,
    redactText: createValueRedactor([configured]),
    audit: (entry) => audit.push(entry),
  });
  const planted = [
    configured,
    "sk-or-v1-0123456789abcdef0123456789abcdef",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
  ];
  writeFileSync(
    join(f.sessionDir, "leak.env"),
    `${planted.map((s, i) => `VALUE_${i}=${s}`).join("\n")}\n${"filler line\n".repeat(300)}`,
  );
  const session: ToolSession = {
    sessionId: "s1",
    audience: "Personal",
    sessionDir: f.sessionDir,
    workingDirectory: f.sessionDir,
    unattended: false,
  };
  const context = {
    session,
    signal: new AbortController().signal,
    requestApproval: async () => "deny" as const,
  };
  const results = await Promise.all([
    runner.run(
      { id: "a1", name: "shell_execute", arguments: { Command: "cat leak.env; cat leak.env >&2" } },
      context,
    ),
    runner.run({ id: "a2", name: "file_read", arguments: { Path: "leak.env" } }, context),
    runner.run({ id: "a3", name: "file_search", arguments: { Query: "VALUE_" } }, context),
  ]);
  const spilled = readdirSync(join(f.sessionDir, "tool-calls")).map((name) =>
    readFileSync(join(f.sessionDir, "tool-calls", name), "utf8"),
  );
  assert.ok(spilled.length >= 2, "long outputs were spilled");
  for (const text of [...results.map((r) => r.result), ...spilled, JSON.stringify(audit)]) {
    for (const secret of planted) assert.equal(text.includes(secret), false, `${secret} leaked`);
  }
  assert.match(results[1]!.result, /VALUE_0=\*\*\*REDACTED\*\*\*/);
  assert.equal(audit.length, 3);
});
