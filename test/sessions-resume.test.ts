import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { startChatDaemon } from "./helpers/chat-daemon.ts";
import { type RunningDaemon, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

type Summary = { sessionId: string; name: string | null };

describe("netclaw chat --resume <id | id prefix | name>, against netclawd", () => {
  let upstream: FakeUpstream;
  let daemon: RunningDaemon;
  let env: NodeJS.ProcessEnv;
  const created: Summary[] = [];
  const post = async (body: unknown): Promise<Summary> => {
    const response = await fetch(`${daemon.url}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return ((await response.json()) as { session: Summary }).session;
  };
  const count = async () =>
    ((await (await fetch(`${daemon.url}/api/sessions`)).json()) as { sessions: Summary[] }).sessions.length;
  const resumeJson = async (ref: string, prompt: string) => {
    const result = await runCli(["chat", "--json", "--resume", ref, "-p", prompt], env);
    return {
      ...result,
      body: JSON.parse(result.stdout) as { sessionId?: string; code?: string; message?: string },
    };
  };

  before(async () => {
    upstream = await createFakeUpstream({ handler: () => "ok" });
    ({ daemon, cliEnv: env } = await startChatDaemon({ home: homes.home(), upstream }));
    // 17 ids over 16 hex digits: at least two share their first character
    for (let i = 0; i < 17; i++) created.push(await post({}));
  });
  after(async () => {
    await daemon?.stop();
    await upstream?.close();
  });

  test("a unique id prefix resumes that session, in any case; no session is created", async () => {
    const target = created[0]!;
    const prefix = uniquePrefix(target.sessionId, created);
    const before = await count();
    for (const ref of [prefix, prefix.toUpperCase(), target.sessionId.slice(0, 13)]) {
      const result = await resumeJson(ref, "hello again");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.body.sessionId, target.sessionId, ref);
    }
    assert.equal(await count(), before);
  });

  test("an ambiguous prefix is exit 2 listing the candidates; nothing is created or sent", async () => {
    const [a, b] = sharedFirstCharacter(created);
    const before = await count();
    const requests = upstream.requests.length;
    const ref = a.sessionId[0]!;
    const plain = await runCli(["chat", "--resume", ref, "-p", "which one?"], env);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, new RegExp(`'${ref}' is the start of several session ids`));
    assert.match(plain.stderr, new RegExp(`^ {2}${a.sessionId}`, "m"));
    assert.match(plain.stderr, new RegExp(`^ {2}${b.sessionId}`, "m"));
    const json = await resumeJson(ref, "which one?");
    assert.equal(json.code, 2);
    assert.equal(json.body.code, "session_ambiguous");
    assert.equal(await count(), before);
    assert.equal(upstream.requests.length, requests);
  });

  test("a name wins over an id prefix; a name that is no prefix is created once", async () => {
    const other = created[1]!;
    const prefix = other.sessionId.slice(0, 8);
    const named = await post({ name: prefix });
    const result = await resumeJson(prefix, "by name");
    assert.equal(result.body.sessionId, named.sessionId);

    const first = await resumeJson("night-shift", "first");
    const second = await resumeJson("night-shift", "second");
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.body.sessionId, first.body.sessionId);
    const list = await runCli(["sessions"], env);
    assert.match(list.stdout, new RegExp(`^${first.body.sessionId}  .*  name=night-shift$`, "m"));
    assert.match(list.stdout, new RegExp(`^${named.sessionId}  .*  name=${prefix}$`, "m"));
  });

  test("GET /api/sessions?match= lists exact id, name and prefix matches; a repeated match is 400", async () => {
    const target = created[2]!;
    const get = async (query: string) => fetch(`${daemon.url}/api/sessions?${query}`);
    const byPrefix = (await (await get(`match=${target.sessionId.slice(0, 6)}`)).json()) as {
      sessions: Summary[];
    };
    assert.ok(byPrefix.sessions.some((s) => s.sessionId === target.sessionId));
    assert.ok(byPrefix.sessions.every((s) => s.sessionId.startsWith(target.sessionId.slice(0, 6)) || s.name));
    const none = (await (await get("match=no-such-thing")).json()) as { sessions: Summary[] };
    assert.deepEqual(none.sessions, []);
    const twice = await get("match=a&match=b");
    assert.equal(twice.status, 400);
  });
});

/** The shortest prefix of `id` that no other session id starts with. */
function uniquePrefix(id: string, sessions: Summary[]): string {
  for (let n = 1; n <= id.length; n++) {
    const prefix = id.slice(0, n);
    if (sessions.filter((s) => s.sessionId.startsWith(prefix)).length === 1) return prefix;
  }
  return id;
}

function sharedFirstCharacter(sessions: Summary[]): [Summary, Summary] {
  for (const a of sessions) {
    const b = sessions.find((s) => s !== a && s.sessionId[0] === a.sessionId[0]);
    if (b) return [a, b];
  }
  throw new Error("no two ids share a first character");
}
