import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { createMemoryStore, createProposalQueue, openMemoryDatabase } from "../src/daemon/memory/index.ts";
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

/** Waits until the session's `turns` turns completed and its after-turn work finished (idle). */
async function settled(api: ReturnType<typeof apiClient>, id: string, turns = 1) {
  await completed(api, id, turns);
  for (let i = 0; i < 200; i++) {
    const { body } = await api.call("GET", `/api/sessions/${id}`);
    if (body.session.status === "idle") return body.events as Awaited<ReturnType<typeof completed>>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the session did not become idle");
}

test("after a turn the Compaction model's proposals are stored and recalled later; garbage stores nothing; Public sessions propose nothing", async () => {
  const proposal = [
    {
      title: "Deploy days",
      content: "Production deploys happen on Tuesdays after 14:00 UTC.",
      tags: ["deploy"],
    },
    { title: "Deploy key", content: "The deploy key is sk-proj-abcdefghijklmnopqrstuvwx." },
  ];
  const upstream = await createFakeUpstream({
    handler: (request) => {
      const kind = callKind(request);
      if (kind === "memory") {
        if (request.rawBody.includes("garbage please")) return { text: "Sure! Nothing: {not json" };
        return { text: `\`\`\`json\n${JSON.stringify(proposal)}\n\`\`\`` };
      }
      if (kind !== "turn") return { text: "Deploys" };
      if (request.rawBody.includes("Deploy days")) return { text: "On Tuesdays, after 14:00 UTC." };
      return { text: "Noted." };
    },
  });
  const home = homes.home();
  const daemon = await startDaemon({ env: fakeModelEnv({ home, upstream }) });
  const memoryCalls = () => upstream.requests.filter((r) => callKind(r) === "memory");
  try {
    const api = apiClient(daemon.url);
    const first = await api.createSession({ channel: "chat" });
    await api.send(first, "FYI: production deploys happen on Tuesdays after 14:00 UTC.");
    const events = await settled(api, first);
    assert.ok(events.some((e) => e.type === "turn_completed" && e.status === "completed"));
    assert.equal(memoryCalls().length, 1, "one proposal call for the turn");
    const call = memoryCalls()[0]!;
    assert.match(call.rawBody, /User: FYI: production deploys[\s\S]*Assistant: Noted\./);
    assert.doesNotMatch(call.rawBody, /"tools"/, "the proposal call offers no tools");
    let status = await api.call("GET", "/api/health/status");
    assert.deepEqual(status.body.memory, { enabled: true, items: 1, pendingProposals: 0 });

    // Stored with the scope and audience store_memory uses: a later Personal session recalls it.
    const second = await api.createSession({ channel: "chat" });
    const mark = upstream.requests.length;
    await api.send(second, "When do deploys happen?");
    await settled(api, second);
    const turn = upstream.requests.slice(mark).find((r) => callKind(r) === "turn");
    assert.ok(turn);
    assert.match(turn.rawBody, /\[memory\][\s\S]*Deploy days: Production deploys happen on Tuesdays/);
    assert.doesNotMatch(turn.rawBody, /sk-proj-|Deploy key/, "the credential proposal was dropped");

    // A reply that is not a JSON array stores nothing; the turn still completes.
    const garbage = await api.createSession({ channel: "chat" });
    const calls = memoryCalls().length;
    await api.send(garbage, "This turn's proposals are garbage please, ignore them.");
    const garbageEvents = await settled(api, garbage);
    assert.ok(garbageEvents.some((e) => e.type === "turn_completed" && e.status === "completed"));
    assert.equal(memoryCalls().length, calls + 1);
    status = await api.call("GET", "/api/health/status");
    assert.equal(status.body.memory.items, 1);

    // A webhook (Public) session is never asked for proposals.
    const publicSession = await api.createSession({ channel: "webhook" });
    await api.send(publicSession, "FYI: staging deploys happen on Fridays before noon.");
    await settled(api, publicSession);
    assert.equal(memoryCalls().length, calls + 1);
    status = await api.call("GET", "/api/health/status");
    assert.deepEqual(status.body.memory, { enabled: true, items: 1, pendingProposals: 0 });
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});

test("proposals left in the queue by a crash are applied when the daemon starts again", async () => {
  const home = homes.home();
  // What a daemon killed between the enqueue and the apply leaves behind, written with the
  // daemon's own queue on the same file it will open.
  const database = await openMemoryDatabase({
    path: join(home, "memory", "netclaw-memory.db"),
    appVersion: "0.0.0-test",
  });
  const queue = createProposalQueue({ memory: createMemoryStore({ store: database }) });
  queue.enqueue({
    sessionId: "s-crashed",
    proposals: [
      {
        title: "Pager rota",
        content: "The on-call rota is in the ops wiki.",
        tags: [],
        scope: "user:operator",
        audience: "Personal",
      },
    ],
  });
  assert.equal(queue.pendingCount(), 1);
  database.close();

  const upstream = await createFakeUpstream({ handler: () => ({ text: "ok" }) });
  const daemon = await startDaemon({ env: fakeModelEnv({ home, upstream }) });
  try {
    const status = await apiClient(daemon.url).call("GET", "/api/health/status");
    assert.deepEqual(status.body.memory, { enabled: true, items: 1, pendingProposals: 0 });
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
