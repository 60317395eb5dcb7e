import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeRouteFile } from "../src/config/webhook-routes.ts";
import type { SessionEvent } from "../src/protocol/events.ts";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { type RunningDaemon, runCli, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WINDOW = 4096;
const NUMBERS = new RegExp(
  String.raw`^The prompt is about (\d+) tokens \(the message about (\d+), the system prompt and tool definitions about (\d+)\); the model's context window is ${WINDOW} tokens\.`,
);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Started = Extract<SessionEvent, { type: "turn_started" }>;
type Failure = Extract<SessionEvent, { type: "error" }>;

describe(`input from every source is checked against the context window (${WINDOW} tokens) before it is sent`, () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let cliEnv: NodeJS.ProcessEnv;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const api = () => apiClient(daemon.url);
  // Every text a turn request carried as its newest user message.
  const sentTexts = () =>
    upstream.requests.filter((r) => callKind(r) === "turn").map((r) => r.lastUserText ?? "");
  const turns = async (sessionId: string, count: number) =>
    until(`${count} finished turns`, async () => {
      const events = await api().transcript(sessionId);
      return events.filter((e) => e.type === "turn_completed").length >= count ? events : undefined;
    });

  before(async () => {
    upstream = await createFakeUpstream({
      handler: async (request) => {
        if (callKind(request) !== "turn") return { text: "A Title" };
        if (request.lastUserText === "hold the line") await held;
        return { text: "done." };
      },
    });
    const home = homes.home();
    writeRouteFile({
      dir: join(home, "config", "webhooks"),
      name: "alerts",
      route: {
        Prompt: "Triage this alert.",
        Verification: { Kind: "HeaderSecret", Secret: "whsec-0123456789abcdef" },
      },
    });
    const env = fakeModelEnv({
      home,
      upstream,
      extra: { NETCLAW_Webhooks__Enabled: "true", NETCLAW_Models__Main__ContextWindow: String(WINDOW) },
    });
    daemon = await startDaemon({ env });
    cliEnv = { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url };
  });
  after(async () => {
    release();
    await daemon?.stop();
    await upstream?.close();
  });

  test("a webhook delivery too large for the window is refused (413) and recorded as failed with the numbers, never sent", async () => {
    const log = "x".repeat(30_000); // about 7,500 tokens in the prompt
    const response = await fetch(`${daemon.url}/api/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Webhook-Secret": "whsec-0123456789abcdef" },
      body: JSON.stringify({ log }),
    });
    // Refused to the sender, with the numbers …
    assert.equal(response.status, 413);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, "context_window_exceeded");
    assert.match(error.message, NUMBERS);
    // … and recorded in the delivery's session as a failed turn.
    const sessions = (await api().call("GET", "/api/sessions")).body.sessions as {
      sessionId: string;
      name: string;
    }[];
    const sessionId = sessions.find((s) => s.name.startsWith("webhook/alerts/"))!.sessionId;
    const events = await turns(sessionId, 1);
    const failure = events.find((e): e is Failure => e.type === "error");
    assert.equal(failure?.code, "context_window_exceeded");
    assert.match(failure.errorMessage, NUMBERS);
    assert.ok(events.some((e) => e.type === "turn_completed" && e.status === "failed"));
    assert.ok(!sentTexts().some((text) => text.includes(log)), "the model never saw it");
  });

  test("a reminder run too large for the window is recorded as failed with the numbers", async () => {
    const instructions = `Summarise: ${"y".repeat(19_000)}`; // about 4,750 tokens
    const created = await runCli(["reminder", "create", "huge", "once", "1h", instructions], cliEnv);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await runCli(["reminder", "run", "huge"], cliEnv)).code, 0);
    const runs = await until("the recorded run", async () => {
      const shown = await runCli(["reminder", "history", "huge", "--json"], cliEnv);
      const list = JSON.parse(shown.stdout).runs as { status: string; error: string | null }[];
      return list.some((r) => r.status !== "running") ? list : undefined;
    });
    assert.equal(runs.at(-1)?.status, "failed");
    assert.match(runs.at(-1)?.error ?? "", NUMBERS);
    assert.ok(!sentTexts().some((text) => text.includes("yyyyyyyyyy")), "the model never saw it");
  });

  test("queued messages that fit one by one but not together run as separate turns", async () => {
    const sessionId = await api().createSession({ name: "queue", channel: "chat" });
    // The window's numbers for this session, from a message that cannot fit.
    const refused = await api().send(sessionId, "z".repeat(4 * WINDOW));
    assert.equal(refused.status, 413);
    const system = Number(NUMBERS.exec(refused.body.error.message)?.[3]);
    assert.ok(system > 0 && system < WINDOW - 400, refused.body.error.message);
    const each = Math.floor(((WINDOW - system) * 3) / 4) * 4; // characters: 3/4 of what is left
    assert.equal((await api().send(sessionId, "hold the line")).status, 202);
    await until("the held turn's request", async () =>
      sentTexts().includes("hold the line") ? true : undefined,
    );
    const first = `first ${"a".repeat(each)}`;
    const second = `second ${"b".repeat(each)}`;
    assert.equal((await api().send(sessionId, first)).status, 202);
    assert.equal((await api().send(sessionId, second)).status, 202);
    release();
    const events = await turns(sessionId, 3);
    const started = events.filter((e): e is Started => e.type === "turn_started");
    assert.deepEqual(
      started.map((e) => e.messageIds.length),
      [1, 1, 1],
    );
    assert.deepEqual(
      events.filter((e) => e.type === "turn_completed").map((e) => e.type === "turn_completed" && e.status),
      ["completed", "completed", "completed"],
    );
    assert.ok(!sentTexts().some((text) => text.includes(first) && text.includes(second)));
  });
});
