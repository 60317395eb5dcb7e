import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

async function completed(api: ReturnType<typeof apiClient>, id: string, turns = 1) {
  for (let i = 0; i < 200; i++) {
    const events = await api.transcript(id);
    if (events.filter((e) => e.type === "turn_completed").length >= turns) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the turn did not complete");
}

test("a memory stored through the tool in one session is recalled into a later session's prompt, never into a Public one", async () => {
  const upstream = await createFakeUpstream({
    handler: (request) => {
      if (callKind(request) !== "turn") return { text: "Backups" };
      if (request.lastUserText === "Remember: the backups live on nas-02 under /volume1/backups.") {
        if (request.endsWithToolResult) return { text: "Noted." };
        return {
          toolCalls: [
            {
              id: "call_mem",
              name: "store_memory",
              arguments: {
                Title: "Backup location",
                Content: "The backups live on nas-02 under /volume1/backups.",
              },
            },
          ],
        };
      }
      return { text: "They are on nas-02." };
    },
  });
  const home = homes.home();
  const daemon = await startDaemon({ env: fakeModelEnv({ home, upstream }) });
  try {
    const api = apiClient(daemon.url);
    const first = await api.createSession({ channel: "chat" });
    await api.send(first, "Remember: the backups live on nas-02 under /volume1/backups.");
    const events = await completed(api, first);
    const result = events.find((e) => e.type === "tool_result");
    assert.ok(result?.type === "tool_result" && !result.isError, JSON.stringify(result));
    assert.match(result.result, /^Stored memory mem_/);
    // The memory tools were offered to the model in that Personal session.
    const offered = upstream.requests.find((r) => r.rawBody.includes('"store_memory"'));
    assert.ok(offered, "store_memory was among the tools sent to the model");

    const second = await api.createSession({ channel: "chat" });
    const before = upstream.requests.length;
    await api.send(second, "Where do the backups live?");
    await completed(api, second);
    const turn = upstream.requests.slice(before).find((r) => callKind(r) === "turn");
    assert.ok(turn, "the second session's turn reached the model");
    assert.match(turn.rawBody, /\[memory\][\s\S]*Backup location: The backups live on nas-02/);

    // A webhook (Public) session gets neither recalled memories nor memory tools.
    const publicSession = await api.createSession({ channel: "webhook" });
    const mark = upstream.requests.length;
    await api.send(publicSession, "Where do the backups live?");
    await completed(api, publicSession);
    const publicTurn = upstream.requests.slice(mark).find((r) => callKind(r) === "turn");
    assert.ok(publicTurn);
    assert.doesNotMatch(publicTurn.rawBody, /nas-02|\[memory\]|store_memory/);
    assert.doesNotMatch(publicTurn.rawBody, /set_reminder/, "no reminder tools in a Public session");
    assert.match(turn.rawBody, /"set_reminder"/, "a Personal session has them");

    const status = await api.call("GET", "/api/health/status");
    assert.equal(status.body.memory.items, 1);
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
