import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ApprovalOption, SessionEvent } from "../../protocol/events.ts";
import { createApprovalQueue } from "./approvals.ts";
import { PLAIN } from "./render.ts";

function request(callId: string): Extract<SessionEvent, { type: "approval_requested" }> {
  return {
    id: 1,
    sessionId: "s",
    at: "2026-01-01T00:00:00Z",
    type: "approval_requested",
    callId,
    toolName: "shell_execute",
    argumentsJson: '{"command":"rm -rf /tmp/x"}',
    summary: "run rm -rf /tmp/x\u001b[2J",
    options: ["approve_once", "approve_session", "deny"],
  };
}

describe("approval queue", () => {
  test("the oldest approval owns the prompt; only its keys answer it, in order", async () => {
    const answers: [string, ApprovalOption][] = [];
    const queue = createApprovalQueue({
      style: PLAIN,
      onChange: () => {},
      answer: async (callId, decision) => {
        answers.push([callId, decision]);
      },
    });
    assert.equal(queue.current(), undefined);
    queue.add(request("c1"));
    queue.add(request("c2"));
    queue.add(request("c1"));
    const prompt = queue.current()!;
    assert.equal(prompt.callId, "c1");
    assert.match(prompt.prompt, /\[y\] yes once {2}\[s\] this session {2}\[n\] deny/);
    assert.ok(!prompt.prompt.includes("\u001b[2J"), "terminal escapes from the summary are removed");
    queue.key("a"); // not offered: ignored
    queue.key("x");
    assert.equal(queue.current()?.callId, "c1");
    queue.key("s");
    assert.equal(queue.current()?.callId, "c2");
    queue.key("N");
    assert.equal(queue.current(), undefined);
    assert.deepEqual(answers, [
      ["c1", "approve_session"],
      ["c2", "deny"],
    ]);
  });

  test("an approval answered elsewhere leaves the prompt", () => {
    let changes = 0;
    const queue = createApprovalQueue({ style: PLAIN, onChange: () => changes++, answer: async () => {} });
    queue.add(request("c1"));
    queue.resolved("c1");
    queue.resolved("unknown");
    assert.equal(queue.current(), undefined);
    assert.equal(changes, 2);
  });
});
