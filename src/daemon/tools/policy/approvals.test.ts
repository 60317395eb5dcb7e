import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PERSONAL, policyFixture } from "./fixtures/policy.ts";

test("Personal shell needs approval; answers become grants scoped to folder, repository, anywhere or the chat", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const repo = join(f.root, "repo");
  mkdirSync(join(repo, ".git"), { recursive: true });
  mkdirSync(join(repo, "sub"));
  const push = { tool: "shell_execute", args: { Command: "git push origin main" }, cwd: repo };
  const first = await f.evaluate(push);
  assert.equal(first.outcome, "requires_approval");
  if (first.outcome !== "requires_approval") return;
  assert.deepEqual(first.options, [
    "approve_once",
    "approve_session",
    "approve_always",
    "approve_repository",
    "approve_everywhere",
    "deny",
  ]);
  assert.deepEqual(first.request.verbs, ["git push"]);
  assert.match(first.summary, /git push origin main/);
  const withToken = await f.evaluate({
    ...push,
    args: { Command: "curl -H 'Authorization: Bearer abcdef123456789' https://x" },
  });
  assert.equal(withToken.outcome, "requires_approval");
  if (withToken.outcome === "requires_approval")
    assert.match(withToken.summary, /Bearer \*\*\*REDACTED\*\*\*/);
  assert.deepEqual(
    f.policy.recordApproval({ request: first.request, offered: first.options, option: "approve_once" }),
    { ok: true, label: "once" },
  );
  assert.equal((await f.evaluate(push)).outcome, "requires_approval", "once is not remembered");

  assert.deepEqual(
    f.policy.recordApproval({ request: first.request, offered: first.options, option: "approve_always" }),
    { ok: true, label: "always in this folder" },
  );
  assert.equal((await f.evaluate(push)).outcome, "allowed");
  assert.equal(
    (await f.evaluate({ ...push, cwd: join(repo, "sub") })).outcome,
    "requires_approval",
    "folder grant is exact",
  );
  const file = JSON.parse(readFileSync(f.home.approvalsFile, "utf8"));
  assert.equal(file.version, 3);
  assert.equal(file.grants.Personal.shell_execute[0].verb, "git push");
  assert.equal(statSync(f.home.approvalsFile).mode & 0o777, 0o600);

  const sub = await f.evaluate({ ...push, cwd: join(repo, "sub") });
  assert.equal(sub.outcome, "requires_approval");
  if (sub.outcome !== "requires_approval") return;
  assert.equal(
    f.policy.recordApproval({ request: sub.request, offered: sub.options, option: "approve_repository" }).ok,
    true,
  );
  assert.equal((await f.evaluate({ ...push, cwd: join(repo, "sub") })).outcome, "allowed");
  assert.equal(
    (await f.evaluate({ ...push, cwd: f.sessionDir })).outcome,
    "requires_approval",
    "repository grant stays in the repository",
  );

  // Compound commands: every part must be covered.
  const compound = await f.evaluate({ ...push, args: { Command: "git status && git push && npm publish" } });
  assert.equal(compound.outcome, "requires_approval");
  if (compound.outcome === "requires_approval") assert.deepEqual(compound.request.verbs, ["npm publish"]);

  const chat = await f.evaluate({
    tool: "shell_execute",
    args: { Command: "make test" },
    sessionId: "chat-a",
  });
  if (chat.outcome !== "requires_approval") return assert.fail("expected a prompt");
  assert.equal(
    f.policy.recordApproval({ request: chat.request, offered: chat.options, option: "approve_session" }).ok,
    true,
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "make build" }, sessionId: "chat-a" }))
      .outcome,
    "allowed",
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "make test" }, sessionId: "chat-b" }))
      .outcome,
    "requires_approval",
  );
  f.policy.forgetSession("chat-a");
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "make test" }, sessionId: "chat-a" }))
      .outcome,
    "requires_approval",
  );

  const everywhere = await f.evaluate({
    tool: "shell_execute",
    args: { Command: "uptime -p; docker compose up -d" },
  });
  if (everywhere.outcome !== "requires_approval") return assert.fail("expected a prompt");
  assert.equal(
    everywhere.options.includes("approve_repository"),
    false,
    "no repository around the session dir",
  );
  assert.equal(
    f.policy.recordApproval({
      request: everywhere.request,
      offered: everywhere.options,
      option: "approve_repository",
    }).ok,
    false,
  );
  assert.equal(
    f.policy.recordApproval({
      request: everywhere.request,
      offered: everywhere.options,
      option: "approve_everywhere",
    }).ok,
    true,
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "docker compose up -d" }, cwd: repo }))
      .outcome,
    "allowed",
  );
});

test("read-only and exempt verbs need no prompt; writes through redirection do", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  for (const command of [
    "ls -la",
    "git status",
    "cat notes.txt | grep x | wc -l",
    "echo hi",
    "find . -name '*.ts'",
    "cd sub && ls",
    "echo hi 2>/dev/null",
  ]) {
    assert.equal(
      (await f.evaluate({ tool: "shell_execute", args: { Command: command } })).outcome,
      "allowed",
      command,
    );
  }
  for (const command of [
    "echo hi > out.txt",
    "find . -delete",
    "ls $DIR",
    "sort -o x y",
    "git commit -m x",
  ]) {
    assert.equal(
      (await f.evaluate({ tool: "shell_execute", args: { Command: command } })).outcome,
      "requires_approval",
      command,
    );
  }
});

test("unattended runs deny what would prompt, with the documented text", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const decision = await f.evaluate({
    tool: "shell_execute",
    args: { Command: "git push" },
    unattended: true,
  });
  assert.equal(decision.outcome, "denied");
  if (decision.outcome !== "denied") return;
  assert.equal(decision.reason, "approval_required_unattended");
  assert.match(
    decision.message,
    /^Tool access denied: shell_execute needs approval, and nobody can answer a prompt in an unattended run\. /,
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "ls" }, unattended: true })).outcome,
    "allowed",
  );
  assert.deepEqual(f.audit.at(-2), {
    tool: "shell_execute",
    audience: "Personal",
    sessionId: "s1",
    outcome: "denied",
    reason: "approval_required_unattended",
  });
});

test("control-plane writes need approval for Personal; approval modes and overrides apply", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const soul = await f.evaluate({
    tool: "file_write",
    args: { Path: join(f.home.identityDir, "SOUL.md"), Content: "x" },
  });
  assert.equal(soul.outcome, "requires_approval");
  if (soul.outcome === "requires_approval") assert.equal(soul.request.tool, "file_write:control-plane");
  assert.equal(
    (await f.evaluate({ tool: "file_write", args: { Path: "notes.md", Content: "x" } })).outcome,
    "allowed",
  );

  const strict = policyFixture(t, {
    config: {
      ...PERSONAL,
      Tools: {
        AudienceProfiles: {
          Personal: {
            ApprovalPolicy: {
              DefaultMode: "Approval",
              ToolOverrides: { shell_execute: "Auto", web_fetch: "Deny" },
            },
          },
        },
      },
    },
  });
  assert.equal(
    (await strict.evaluate({ tool: "shell_execute", args: { Command: "git push" } })).outcome,
    "allowed",
  );
  const fetch = await strict.evaluate({ tool: "web_fetch", args: { Url: "https://example.com" } });
  assert.equal(fetch.outcome === "denied" && fetch.reason, "approval_mode_deny");
  assert.equal(
    (await strict.evaluate({ tool: "file_write", args: { Path: "a.txt", Content: "" } })).outcome,
    "requires_approval",
  );
  // A dynamic cd makes later relative paths unknowable: even Auto prompts.
  assert.equal(
    (await strict.evaluate({ tool: "shell_execute", args: { Command: "cd $X && cat secrets.json" } }))
      .outcome,
    "requires_approval",
  );
});

test("a grants file from the future or unreadable denies and is never overwritten", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  writeFileSync(f.home.approvalsFile, JSON.stringify({ version: 4, grants: {} }));
  const future = await f.evaluate({ tool: "shell_execute", args: { Command: "git push" } });
  assert.equal(future.outcome === "denied" && future.reason, "approval_store_unavailable");
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "ls" } })).outcome,
    "allowed",
    "read-only needs no store",
  );
  writeFileSync(f.home.approvalsFile, "{ not json");
  const broken = await f.evaluate({ tool: "shell_execute", args: { Command: "git push" } });
  assert.equal(broken.outcome === "denied" && broken.reason, "approval_store_unavailable");
  assert.throws(
    () => f.grants.add({ audience: "Personal", tool: "shell_execute", verb: "x", scope: "anywhere" }),
    /not a version 3|cannot read/,
  );
  assert.equal(readFileSync(f.home.approvalsFile, "utf8"), "{ not json");
  writeFileSync(
    f.home.approvalsFile,
    JSON.stringify({
      version: 3,
      grants: {
        Personal: {
          shell_execute: [{ verb: "git push", scope: "anywhere", createdAt: "2026-01-01T00:00:00Z" }],
        },
      },
    }),
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "git push" } })).outcome,
    "allowed",
    "a fixed file is picked up",
  );
  assert.equal(
    f.grants.revoke((g) => g.verb === "git push"),
    1,
  );
  assert.equal(
    (await f.evaluate({ tool: "shell_execute", args: { Command: "git push" } })).outcome,
    "requires_approval",
  );
});
