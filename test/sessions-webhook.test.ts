import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeRouteFile } from "../src/config/webhook-routes.ts";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { callKind, fakeModelEnv } from "./helpers/model-env.ts";
import { startDaemon, tempHomes } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";

const homes = tempHomes();
after(homes.cleanup);

/** The tool names an OpenAI-style request offered the model. */
const offered = (request: { body?: Readonly<Record<string, unknown>> | undefined }): string[] =>
  ((request.body?.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

test("an accepted webhook delivery runs an unattended turn in its own webhook session, at its route's audience", async () => {
  const upstream = await createFakeUpstream({
    handler: (request) =>
      callKind(request) === "turn" ? { text: "Deploy looks fine." } : { text: "Deploy Check" },
  });
  const home = homes.home();
  writeRouteFile({
    dir: join(home, "config", "webhooks"),
    name: "deploys",
    route: {
      Prompt: "Check the deployment described by this event.",
      Verification: { Kind: "HeaderSecret", Secret: "whsec-0123456789abcdef" },
    },
  });
  writeRouteFile({
    dir: join(home, "config", "webhooks"),
    name: "team-ops",
    route: {
      Prompt: "Triage this alert for the team.",
      Audience: "Team",
      Verification: { Kind: "HeaderSecret", Secret: "whsec-team-0123456789abcdef" },
    },
  });
  const daemon = await startDaemon({
    env: fakeModelEnv({ home, upstream, extra: { NETCLAW_Webhooks__Enabled: "true" } }),
  });
  try {
    const deliver = () =>
      fetch(`${daemon.url}/api/webhooks/deploys`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "X-Webhook-Secret": "whsec-0123456789abcdef",
          "X-Webhook-Delivery": "d-1",
        },
        body: JSON.stringify({ service: "api", version: "1.2.3" }),
      });
    const response = await deliver();
    assert.equal(response.status, 202);
    const accepted = (await response.json()) as { status: string; sessionId: string };
    assert.equal(accepted.status, "accepted");
    const api = apiClient(daemon.url);
    let events = await api.transcript(accepted.sessionId);
    for (let i = 0; i < 100 && !events.some((e) => e.type === "turn_completed"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      events = await api.transcript(accepted.sessionId);
    }
    const message = events.find((e) => e.type === "user_message");
    assert.ok(message?.type === "user_message");
    assert.match(message.text, /Check the deployment[\s\S]*<webhook-payload>[\s\S]*"version": "1.2.3"/);
    const text = events.find((e) => e.type === "text");
    assert.ok(text?.type === "text" && text.text === "Deploy looks fine.");
    const session = (await api.call("GET", `/api/sessions/${accepted.sessionId}`)).body.session;
    assert.equal(session.channel, "webhook");
    assert.equal(session.name, "webhook/deploys/d-1");
    // A redelivery of the same id is recognised and starts nothing new.
    const again = await deliver();
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as { status: string }).status, "ignored");

    // Public (the default) is offered no memory tools; the Team route's session is.
    const publicTurn = upstream.requests.find((r) => callKind(r) === "turn");
    assert.ok(publicTurn && !offered(publicTurn).includes("store_memory"));
    const team = await fetch(`${daemon.url}/api/webhooks/team-ops`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "X-Webhook-Secret": "whsec-team-0123456789abcdef",
        "X-Webhook-Delivery": "t-1",
      },
      body: JSON.stringify({ alert: "disk" }),
    });
    assert.equal(team.status, 202);
    let teamTurn: (typeof upstream.requests)[number] | undefined;
    for (let i = 0; i < 100 && !teamTurn; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      teamTurn = upstream.requests.find(
        (r) => callKind(r) === "turn" && r.lastUserText?.includes("Triage this alert"),
      );
    }
    assert.ok(teamTurn, "the Team route's turn reached the model");
    assert.ok(offered(teamTurn).includes("store_memory"), "a Team webhook session has memory tools");
    assert.ok(!offered(teamTurn).includes("shell_execute"), "but never the shell");
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
