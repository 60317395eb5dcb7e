import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ExtraTool } from "../agent/extra-tools.ts";
import type { SessionAudience, SessionInfo } from "../sessions/audience.ts";
import { composeFeatures } from "./compose.ts";
import type { DaemonFeature } from "./feature.ts";

const cli: SessionInfo = { sessionId: "s1", channel: "chat", name: null };
const owns =
  (prefix: string, audience: SessionAudience): DaemonFeature["audienceOf"] =>
  (session) =>
    session.name?.startsWith(prefix) ? audience : undefined;
const tool = (name: string) => ({ definition: { name } }) as unknown as ExtraTool;

describe("composeFeatures: a turn's audience", () => {
  test("no feature answers: the channel's audience", () => {
    const composed = composeFeatures(() => [{ name: "a", audienceOf: owns("x/", "Public") }]);
    assert.equal(composed.audienceOf(cli), "Personal");
    assert.equal(composed.audienceOf({ ...cli, channel: "webhook" }), "Public");
  });

  test("several features answer for one session: the least of their answers, whatever the order", () => {
    const personal = { name: "p", audienceOf: owns("shared/", "Personal") };
    const team = { name: "t", audienceOf: owns("shared/", "Team") };
    const session = { ...cli, name: "shared/1" };
    assert.equal(composeFeatures(() => [personal, team]).audienceOf(session), "Team");
    assert.equal(composeFeatures(() => [team, personal]).audienceOf(session), "Team");
  });

  test("a stored answer replaces the channel's, upward too (a Personal reminder run on the Team channel)", () => {
    const composed = composeFeatures(() => [{ name: "r", audienceOf: owns("schedule/", "Personal") }]);
    assert.equal(composed.audienceOf({ ...cli, channel: "reminder", name: "schedule/r1/1" }), "Personal");
  });

  test("a reminder requester lowers the turn to its answer, and to Public when nobody answers", () => {
    const reminders: DaemonFeature = {
      name: "reminders",
      audienceOfRequester: (requester) => (requester === "reminder:known" ? "Team" : undefined),
    };
    const composed = composeFeatures(() => [reminders]);
    assert.equal(composed.audienceOf({ ...cli, requester: "reminder:known" }), "Team");
    assert.equal(composed.audienceOf({ ...cli, requester: "reminder:gone" }), "Public");
    assert.equal(composeFeatures(() => []).audienceOf({ ...cli, requester: "reminder:any" }), "Public");
    // a person's requester never lowers the turn, and a requester never raises it
    assert.equal(composed.audienceOf({ ...cli, requester: "device:laptop" }), "Personal");
    assert.equal(composed.audienceOf({ ...cli, channel: "webhook", requester: "reminder:known" }), "Public");
  });
});

describe("composeFeatures: the other hooks, one loop each", () => {
  test("the list is read per call: empty until the features open", () => {
    let features: DaemonFeature[] = [];
    const composed = composeFeatures(() => features);
    assert.deepEqual(composed.routes(), []);
    assert.deepEqual(composed.secrets(), []);
    features = [{ name: "w", secrets: () => ["s3cret"], routes: [() => {}] }];
    assert.deepEqual(composed.secrets(), ["s3cret"]);
    assert.equal(composed.routes().length, 1);
  });

  test("tools per turn are built once per audience, at the turn's audience", () => {
    const seen: SessionAudience[] = [];
    const composed = composeFeatures(() => [
      {
        name: "t",
        tools: ({ audience }) => {
          seen.push(audience);
          return audience === "Public" ? [] : [tool(`for-${audience}`)];
        },
        audienceOfRequester: () => "Public",
      },
    ]);
    const perTurn = composed.extraTools(cli);
    assert.deepEqual(
      perTurn({}).map((t) => t.definition.name),
      ["for-Personal"],
    );
    perTurn({ requester: "local" });
    assert.deepEqual(perTurn({ requester: "reminder:r" }), []);
    assert.deepEqual(seen, ["Personal", "Public"]);
  });

  test("a throwing status section leaves the others", () => {
    const composed = composeFeatures(() => [
      {
        name: "broken",
        status: () => {
          throw new Error("boom");
        },
      },
      { name: "memory", status: () => ({ memory: { enabled: true, items: 1, pendingProposals: 0 } }) },
    ]);
    assert.deepEqual(composed.status(), { memory: { enabled: true, items: 1, pendingProposals: 0 } });
  });

  test("before-turn blocks are joined without empty ones; stop runs in order; close reaches all", async () => {
    const order: string[] = [];
    const composed = composeFeatures(() => [
      {
        name: "a",
        beforeTurn: async () => "",
        stop: async () => void order.push("stop a"),
        close: () => void order.push("close a"),
      },
      {
        name: "b",
        beforeTurn: async () => "recalled",
        stop: async () => void order.push("stop b"),
        close: () => void order.push("close b"),
      },
    ]);
    assert.equal(await composed.beforeTurn({ ...cli, text: "hi" }), "recalled");
    await composed.stop();
    composed.close();
    assert.deepEqual(order, ["stop a", "stop b", "close a", "close b"]);
  });
});
