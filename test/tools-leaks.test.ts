import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { tempHome } from "./helpers/processes.ts";
import { apiClient } from "./helpers/sse-client.ts";
import { createToolModel, runToolTurn, startToolDaemon, type ToolModel } from "./helpers/tool-turns.ts";

const home = tempHome();
let model: ToolModel;

before(async () => {
  model = await createToolModel();
});
after(async () => {
  await model?.upstream.close();
  home.cleanup();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

// Known secrets — a provider key and a DeviceToken in the environment, a PEM key in a file the
// agent reads — must not reach any file the daemon wrote (logs, database, session directories,
// spills, grants) nor the model.
test("no planted secret reaches a file the daemon wrote, an event, or the model", async () => {
  const apiKey = `sk-leak${randomBytes(16).toString("hex")}`;
  const deviceToken = `nctk_${randomBytes(20).toString("hex")}`;
  const pemBody = randomBytes(48).toString("base64");
  const pem = `-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----\n`;
  const workspace = join(home.home, "workspaces", "leaky");
  mkdirSync(workspace, { recursive: true });
  const pemFile = join(workspace, "server.pem");
  writeFileSync(pemFile, pem);

  const daemon = await startToolDaemon({
    home: home.home,
    model,
    extra: { NETCLAW_Providers__fake__ApiKey: apiKey, NETCLAW_DeviceToken: deviceToken },
  });
  try {
    const api = apiClient(daemon.url);
    const sessionId = await api.createSession();
    const turn = await runToolTurn({
      daemon,
      sessionId,
      text: model.script([
        { name: "file_read", arguments: { Path: pemFile } },
        { name: "shell_execute", arguments: { Command: `cat ${pemFile}` } },
        { name: "shell_execute", arguments: { Command: "env" } },
        { name: "shell_execute", arguments: { Command: `echo ${apiKey} ${deviceToken}` } },
        { name: "shell_execute", arguments: { Command: `printf '%s' "$(cat ${pemFile})"; seq 1 40000` } },
      ]),
      onApproval: () => "approve_once",
    });
    assert.equal(turn.results.length, 5);
    assert.ok(
      turn.results.some((r) => r.result.includes("***REDACTED***")),
      "something was redacted",
    );
    await runToolTurn({ daemon, sessionId, text: "thanks" });
  } finally {
    await daemon.stop();
  }

  const written = filesUnder(home.home).filter((file) => file !== pemFile);
  const logs = written.filter((file) => file.includes(`${join(home.home, "logs")}`));
  assert.ok(
    logs.some((file) => readFileSync(file, "utf8").includes("Tool executed")),
    "the audit log exists",
  );
  assert.ok(
    written.some((file) => file.includes("tool-calls")),
    "a spill file was written",
  );
  for (const file of written) {
    const content = readFileSync(file).toString("latin1");
    for (const [name, secret] of [
      ["provider key", apiKey],
      ["DeviceToken", deviceToken],
      ["PEM key", pemBody.slice(0, 40)],
    ] as const) {
      assert.ok(!content.includes(secret), `${name} found in ${file}`);
    }
  }
  for (const request of model.upstream.requests) {
    assert.ok(!request.rawBody.includes(pemBody.slice(0, 40)), "the PEM key reached the model");
    assert.ok(!request.rawBody.includes(deviceToken), "the DeviceToken reached the model");
  }
});
