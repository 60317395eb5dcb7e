import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SessionEvent } from "../src/protocol/events.ts";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { runCli, startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The tool names an OpenAI-style request offered the model. */
const offered = (request: { body?: Readonly<Record<string, unknown>> | undefined }): string[] =>
  ((request.body?.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

type Summary = { sessionId: string; name: string | null; channel: string };

test("a reminder created with the CLI fires into a schedule/<id>/… session with the model's answer; status counts it", async () => {
  const upstream = await createFakeUpstream({
    handler: (request) =>
      callKind(request) === "turn" ? { text: "Disk usage is at 41%." } : { text: "Disk Check" },
  });
  const home = homes.home();
  const env = fakeModelEnv({ home, upstream });
  const daemon = await startDaemon({ env });
  const cliEnv = { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url };
  try {
    const created = await runCli(
      ["reminder", "create", "disk-check", "once", "2s", "Check the disk usage."],
      cliEnv,
    );
    assert.equal(created.code, 0, created.stderr);
    const api = apiClient(daemon.url);
    const session = await until("the reminder's session", async () => {
      const list = (await api.call("GET", "/api/sessions")).body.sessions as Summary[];
      return list.find((s) => s.name?.startsWith("schedule/disk-check/"));
    });
    assert.equal(session.channel, "reminder");
    const events = await until("the run's turn", async () => {
      const all = await api.transcript(session.sessionId);
      return all.some((e) => e.type === "turn_completed") ? all : undefined;
    });
    const message = events.find(
      (e): e is Extract<SessionEvent, { type: "user_message" }> => e.type === "user_message",
    );
    assert.equal(message?.text, "Check the disk usage.");
    assert.ok(events.some((e) => e.type === "text" && e.text === "Disk usage is at 41%."));
    const history = await until("the recorded run", async () => {
      const shown = await runCli(["reminder", "history", "disk-check", "--json"], cliEnv);
      const runs = JSON.parse(shown.stdout).runs as { status: string; sessionKey: string }[];
      return runs.some((r) => r.status !== "running") ? runs : undefined;
    });
    assert.equal(history.at(-1)?.status, "succeeded");
    assert.equal(history.at(-1)?.sessionKey, session.name);
    // `reminder run` fires it again at once, in a new session of its own.
    const ran = await runCli(["reminder", "run", "disk-check"], cliEnv);
    assert.equal(ran.code, 0, ran.stderr);
    await until("a second run", async () => {
      const list = (await api.call("GET", "/api/sessions")).body.sessions as Summary[];
      const runs = list.filter((s) => s.name?.startsWith("schedule/disk-check/"));
      return runs.length === 2 ? runs : undefined;
    });
    const status = JSON.parse((await runCli(["status", "--json"], cliEnv)).stdout);
    assert.equal(status.reminders.total, 1);

    // A run keeps its reminder's stored audience: a Personal run is offered memory tools, a
    // Public one is not (and gets no recalled memories).
    const turnRequest = (name: string) =>
      upstream.requests.find((r) => callKind(r) === "turn" && r.rawBody.includes(name));
    assert.match(turnRequest("Check the disk usage.")?.rawBody ?? "", /"store_memory"/);
    const publicOne = await runCli(
      ["reminder", "create", "public-check", "once", "1s", "Public status check.", "--audience", "public"],
      cliEnv,
    );
    assert.equal(publicOne.code, 0, publicOne.stderr);
    const request = await until("the public run's request", async () => turnRequest("Public status check."));
    assert.doesNotMatch(request.rawBody, /"store_memory"|\[memory\]/);
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});

test("daemon down across due times: a skip reminder records missed and does not run; a catch-up one records missed and runs late", async () => {
  const upstream = await createFakeUpstream({
    handler: (request) => (callKind(request) === "turn" ? { text: "caught up" } : { text: "Late" }),
  });
  const home = homes.home();
  const env = fakeModelEnv({ home, upstream });
  let daemon = await startDaemon({ env });
  const cliEnv = () => ({ ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url });
  for (const args of [
    ["backup-check", "once", "2h", "Check the backups."],
    ["late-check", "once", "2h", "Check late.", "--misfire", "catch-up", "--grace", "60"],
  ]) {
    const created = await runCli(["reminder", "create", ...args], cliEnv());
    assert.equal(created.code, 0, created.stderr);
  }
  await daemon.stop();
  // The daemon stays down across the due times: move the persisted fire times back, as if that
  // time had passed (the scheduler compares them with the wall clock at start).
  const due = new Date(Date.now() - 30 * 60_000).toISOString();
  for (const id of ["backup-check", "late-check"]) {
    const stateFile = join(home, "schedules", "reminders", `${id}.state.json`);
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    writeFileSync(stateFile, JSON.stringify({ ...state, nextRunAt: due }));
  }
  daemon = await startDaemon({ env });
  try {
    const history = async (id: string) => {
      const shown = await runCli(["reminder", "history", id, "--json"], cliEnv());
      assert.equal(shown.code, 0, shown.stderr);
      return JSON.parse(shown.stdout).runs as { status: string; dueAt: string; trigger: string }[];
    };
    assert.deepEqual(
      (await history("backup-check")).map((r) => [r.status, r.dueAt]),
      [["missed", due]],
    );
    const late = await until("the catch-up run", async () => {
      const runs = await history("late-check");
      return runs.some((r) => r.trigger === "catch-up" && r.status === "succeeded") ? runs : undefined;
    });
    assert.deepEqual(
      late.map((r) => [r.status, r.trigger]),
      [
        ["missed", "schedule"],
        ["succeeded", "catch-up"],
      ],
    );
    const list = (await apiClient(daemon.url).call("GET", "/api/sessions")).body.sessions as Summary[];
    assert.deepEqual(
      list.filter((s) => s.name?.startsWith("schedule/")).map((s) => s.name?.split("/")[1]),
      ["late-check"],
    );
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});

test("with Scheduling.Enabled=false nothing fires and status has no reminders line", async () => {
  const upstream = await createFakeUpstream({ handler: () => ({ text: "ran" }) });
  const home = homes.home();
  const env = fakeModelEnv({ home, upstream, extra: { NETCLAW_Scheduling__Enabled: "false" } });
  const daemon = await startDaemon({ env });
  const cliEnv = { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url };
  try {
    const created = await runCli(["reminder", "create", "quiet", "once", "1s", "Should not run."], cliEnv);
    assert.equal(created.code, 0, created.stderr);
    await sleep(2500);
    assert.equal(upstream.requests.length, 0);
    const status = JSON.parse((await runCli(["status", "--json"], cliEnv)).stdout);
    assert.equal(status.reminders, undefined);
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});

test("set_reminder with current_session re-enters the origin session: the run is unattended and keeps the reminder's audience", async () => {
  const setReminder = (id: string, prompt: string, extra: Record<string, string> = {}) => ({
    toolCalls: [
      {
        id: `call_${id}`,
        name: "set_reminder",
        arguments: {
          Id: id,
          Prompt: prompt,
          ScheduleType: "once",
          Schedule: "2s",
          DeliveryKind: "current_session",
          ...extra,
        },
      },
    ],
  });
  const shell = (id: string) => ({
    toolCalls: [{ id, name: "shell_execute", arguments: { Command: "touch reminder-was-here" } }],
  });
  const upstream = await createFakeUpstream({
    handler: (request) => {
      if (callKind(request) !== "turn") return { text: "Follow Up" };
      const last = request.lastUserText;
      if (last === "Remind me here in two seconds to look at the disk.")
        return request.endsWithToolResult
          ? { text: "Reminder set." }
          : setReminder("follow-up", "Follow up on the disk.");
      if (last === "Later, as a public reminder, clean up.")
        return request.endsWithToolResult
          ? { text: "Public reminder set." }
          : setReminder("public-cleanup", "Clean up now.", { Audience: "public" });
      // The reminders' turns try the shell: a Personal chat would ask for approval.
      if (last === "Follow up on the disk." || last === "Clean up now.")
        return request.endsWithToolResult
          ? { text: "The disk is fine now." }
          : shell(`call_sh_${last.length}`);
      return { text: "ok" };
    },
  });
  const home = homes.home();
  const env = fakeModelEnv({ home, upstream, extra: { NETCLAW_Tools__ShellMode: "HostAllowed" } });
  const daemon = await startDaemon({ env });
  try {
    const api = apiClient(daemon.url);
    const session = await api.createSession({ channel: "chat" });
    await api.send(session, "Remind me here in two seconds to look at the disk.");
    const events = await until("the reminder's turn in the origin session", async () => {
      const all = await api.transcript(session);
      return all.filter((e) => e.type === "turn_completed").length >= 2 ? all : undefined;
    });
    const result = events.find((e) => e.type === "tool_result");
    assert.ok(result?.type === "tool_result" && !result.isError, JSON.stringify(result));
    const messages = events
      .filter((e) => e.type === "user_message")
      .map((e) => e.type === "user_message" && e.text);
    assert.deepEqual(messages, [
      "Remind me here in two seconds to look at the disk.",
      "Follow up on the disk.",
    ]);
    assert.ok(events.some((e) => e.type === "text" && e.text === "The disk is fine now."));
    // Nobody is there to answer: the shell call is denied without a prompt, and nothing ran.
    assert.ok(
      !events.some((e) => e.type === "approval_requested"),
      "no approval prompt in a reminder's turn",
    );
    const denied = events.findLast((e) => e.type === "tool_result");
    assert.ok(denied?.type === "tool_result" && denied.toolName === "shell_execute");
    assert.match(denied.result, /nobody can answer a prompt in an unattended run/);

    // A public reminder fired into this Personal session runs as Public: no shell, no memory tools.
    const mark = upstream.requests.length;
    await api.send(session, "Later, as a public reminder, clean up.");
    const after = await until("the public reminder's turn", async () => {
      const all = await api.transcript(session);
      return all.filter((e) => e.type === "turn_completed").length >= 4 ? all : undefined;
    });
    const publicTurn = upstream.requests
      .slice(mark)
      .find((r) => callKind(r) === "turn" && r.lastUserText === "Clean up now." && !r.endsWithToolResult);
    assert.ok(publicTurn, "the public reminder's turn reached the model");
    assert.ok(!offered(publicTurn).includes("store_memory"), "a Public turn is offered no memory tools");
    assert.ok(!offered(publicTurn).includes("shell_execute"), "a Public turn is offered no shell");
    const refused = after.findLast((e) => e.type === "tool_result");
    assert.ok(refused?.type === "tool_result");
    assert.match(refused.result, /Unknown tool 'shell_execute'/);
    // The operator's own turns in the session keep the Personal tools.
    const own = upstream.requests.find(
      (r) => r.lastUserText === "Later, as a public reminder, clean up." && !r.endsWithToolResult,
    );
    assert.ok(own && offered(own).includes("store_memory"), "the operator's turn still has memory tools");
    assert.ok(offered(own).includes("shell_execute"), "and the shell");

    const list = (await api.call("GET", "/api/sessions")).body.sessions as Summary[];
    assert.equal(
      list.filter((s) => s.name?.startsWith("schedule/")).length,
      0,
      "no fresh session for current_session",
    );
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});

test("netclaw reminder create --session delivers into an existing conversation; a missing one is refused", async () => {
  const upstream = await createFakeUpstream({ handler: () => ({ text: "Checked." }) });
  const home = homes.home();
  const env = fakeModelEnv({ home, upstream });
  const daemon = await startDaemon({ env });
  const cliEnv = { ...env, NETCLAW_DAEMON_ENDPOINT: daemon.url };
  try {
    const api = apiClient(daemon.url);
    const session = await api.createSession({ channel: "chat" });
    const created = await runCli(
      ["reminder", "create", "here", "once", "1s", "Look again.", "--session", session],
      cliEnv,
    );
    assert.equal(created.code, 0, created.stderr);
    const shown = await runCli(["reminder", "show", "here"], cliEnv);
    assert.match(shown.stdout, new RegExp(`delivery: +current_session ${session}`));
    await until("the run in that conversation", async () => {
      const events = await api.transcript(session);
      return events.some((e) => e.type === "user_message" && e.text === "Look again.") ? true : undefined;
    });
    const missing = await runCli(
      ["reminder", "create", "nowhere", "once", "1h", "x", "--session", "no-such-session"],
      cliEnv,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-session/);
    const usage = await runCli(
      ["reminder", "create", "u", "once", "1h", "x", "--delivery", "current_session"],
      cliEnv,
    );
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs --session <session id>/);
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
