import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "./fakes/llm-upstream.ts";
import { cleanEnv, NETCLAW, tempHomes } from "./helpers/processes.ts";
import { startTerminal } from "./helpers/tmux.ts";

const homes = tempHomes();
let fake: FakeUpstream;
before(async () => {
  fake = await createFakeUpstream({
    apiKey: {
      openai: "sk-good",
      anthropic: "sk-ant-good",
      openrouter: "sk-or-good",
    },
  });
});
after(async () => {
  homes.cleanup();
  await fake.close();
});

const TYPES = ["ollama", "openai", "anthropic", "openrouter", "openai-compatible"] as const;
const keys: Record<string, string> = {
  openai: "sk-good",
  anthropic: "sk-ant-good",
  openrouter: "sk-or-good",
  "openai-compatible": "sk-good",
};
const endpoint = (type: string) =>
  type === "ollama"
    ? fake.url
    : type === "openrouter"
      ? fake.openrouterBaseUrl
      : type === "anthropic"
        ? fake.anthropicBaseUrl
        : fake.openaiBaseUrl;

function wizard(home: string) {
  return startTerminal({
    command: `${process.execPath} ${NETCLAW} init --no-start`,
    env: { ...cleanEnv({ NETCLAW_HOME: home }), TERM: "xterm-256color" },
  });
}

describe("netclaw init in a real terminal", { concurrency: 1 }, () => {
  for (const type of TYPES) {
    test(`${type}: provider, live check, model list, identity, posture, exposure, summary, write`, async () => {
      const home = homes.home();
      const term = wizard(home);
      try {
        await term.waitFor(/Which model provider\?/);
        for (let i = 0; i < TYPES.indexOf(type); i++) term.send(["Down"]);
        term.send(["Enter"]);
        if (type !== "ollama") {
          await term.waitFor(/API key/);
          await term.typeInto(keys[type]!);
          term.send(["Enter"]);
        }
        await term.waitFor(/Endpoint \(base URL\)/);
        term.send(["C-u"]);
        await term.typeInto(endpoint(type));
        term.send(["Enter"]);
        await term.waitFor(/Connected: \d+ model\(s\) available\./);
        await term.waitFor(/Model \(\d+ available/);
        term.send(["Enter"]);
        await term.waitFor(/Your name/);
        await term.typeInto("Ada Lovelace");
        term.send(["Enter"]);
        await term.waitFor(/Your time zone/);
        term.send(["C-u"]);
        await term.typeInto("Europe/London");
        term.send(["Enter"]);
        await term.waitFor(/Workspaces directory/);
        term.send(["Enter"]);
        await term.waitFor(/Who will talk to this agent\?/);
        term.send(["Enter"]); // Personal
        await term.waitFor(/How will you reach the daemon\?/);
        term.send(["Enter"]); // local
        await term.waitFor(/Write this configuration\?/);
        term.send(["Enter"]);
        const screen = await term.waitFor(/\[exit \d+\]/);
        assert.match(screen, /Run `netclaw chat` to talk to your agent/);
        assert.match(screen, /\[exit 0\]/);
      } finally {
        term.close();
      }
      const config = JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8"));
      const name = type === "ollama" ? "local-ollama" : type;
      assert.equal(config.Providers[name].Type, type);
      assert.equal(config.Models.Main.Provider, name);
      assert.ok(config.Models.Main.ModelId.length > 0);
      assert.equal(config.Security.DeploymentPosture, "Personal");
      assert.match(
        readFileSync(join(home, "identity", "SOUL.md"), "utf8"),
        /Ada Lovelace[\s\S]*Europe\/London/,
      );
      if (keys[type]) {
        const secrets = readFileSync(join(home, "config", "secrets.json"), "utf8");
        assert.ok(!secrets.includes(keys[type]!), "the key is never stored in plaintext");
        assert.match(secrets, /ENC:v1:/);
      }
    });
  }

  test("Team posture: the feature list offers only features that exist (no Search, no SubAgents)", async () => {
    const home = homes.home();
    const term = wizard(home);
    try {
      await term.waitFor(/Which model provider\?/);
      term.send(["Enter"]); // Ollama
      await term.waitFor(/Endpoint \(base URL\)/);
      term.send(["C-u"]);
      await term.typeInto(fake.url);
      term.send(["Enter"]);
      await term.waitFor(/Model \(\d+ available/);
      term.send(["Enter"]);
      await term.waitFor(/Your name/);
      await term.typeInto("Grace");
      term.send(["Enter"]);
      await term.waitFor(/Your time zone/);
      term.send(["Enter"]);
      await term.waitFor(/Workspaces directory/);
      term.send(["Enter"]);
      await term.waitFor(/Who will talk to this agent\?/);
      term.send(["Down", "Enter"]); // Team
      const features = await term.waitFor(/Which features should be on\?[\s\S]*Webhooks/);
      assert.match(features, /Memory[\s\S]*Scheduling[\s\S]*Webhooks/);
      assert.doesNotMatch(features, /Search|SubAgents/);
      term.send(["Enter"]); // the Team defaults
      await term.waitFor(/How will you reach the daemon\?/);
      term.send(["Enter"]);
      await term.waitFor(/Write this configuration\?/);
      term.send(["Enter"]);
      assert.match(await term.waitFor(/\[exit \d+\]/), /\[exit 0\]/);
    } finally {
      term.close();
    }
    const config = JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8"));
    assert.equal(config.Security.DeploymentPosture, "Team");
    assert.deepEqual(
      [config.Memory.Enabled, config.Scheduling.Enabled, config.Webhooks.Enabled],
      [true, true, false],
    );
    assert.equal(config.Search, undefined);
    assert.equal(config.SubAgents, undefined);
  });

  test("a wrong API key: the check says so, the user fixes it and goes on", async () => {
    const home = homes.home();
    const term = wizard(home);
    try {
      await term.waitFor(/Which model provider\?/);
      term.send(["Down", "Down", "Down", "Enter"]); // OpenRouter
      await term.waitFor(/API key/);
      await term.typeInto("sk-or-WRONG");
      term.send(["Enter"]);
      await term.waitFor(/Endpoint/);
      term.send(["C-u"]);
      await term.typeInto(fake.openrouterBaseUrl);
      term.send(["Enter"]);
      await term.waitFor(/Connection failed: .*refused the API key.*401/);
      await term.waitFor(/What now\?/);
      term.send(["Enter"]); // fix and test again
      await term.waitFor(/OpenRouter API key/);
      await term.typeInto("sk-or-good");
      term.send(["Enter"]);
      await term.waitFor(/Endpoint/);
      term.send(["Enter"]); // keeps the endpoint typed before
      await term.waitFor(/Connected: \d+ model\(s\) available\./);
    } finally {
      term.close();
    }
  });

  test("re-run on a configured machine: redo identity, then start over (archived, double-confirmed)", async () => {
    const home = homes.home();
    const first = wizard(home);
    try {
      await first.waitFor(/Which model provider\?/);
      first.send(["Enter"]); // Ollama
      await first.waitFor(/Endpoint/);
      first.send(["C-u"]);
      await first.typeInto(fake.url);
      first.send(["Enter"]);
      await first.waitFor(/Model \(/);
      first.send(["Enter"]);
      await first.waitFor(/Your name/);
      await first.typeInto("Ada");
      first.send(["Enter"]);
      for (const prompt of [
        /Your time zone/,
        /Workspaces directory/,
        /Who will talk/,
        /How will you reach/,
        /Write this configuration\?/,
      ]) {
        await first.waitFor(prompt);
        first.send(["Enter"]);
      }
      await first.waitFor(/\[exit 0\]/);
    } finally {
      first.close();
    }

    const redo = wizard(home);
    try {
      await redo.waitFor(/already set up here/);
      redo.send(["Enter"]); // Redo identity setup
      await redo.waitFor(/Your name/);
      await redo.typeInto("Grace Hopper");
      redo.send(["Enter"]);
      await redo.waitFor(/Your time zone/);
      redo.send(["C-u"]);
      await redo.typeInto("America/New_York");
      redo.send(["Enter"]);
      await redo.waitFor(/Workspaces directory/);
      redo.send(["Enter"]);
      await redo.waitFor(/Identity updated/);
    } finally {
      redo.close();
    }
    assert.match(
      readFileSync(join(home, "identity", "SOUL.md"), "utf8"),
      /Grace Hopper[\s\S]*America\/New_York/,
    );
    assert.equal(
      JSON.parse(readFileSync(join(home, "config", "netclaw.json"), "utf8")).Models.Main.Provider,
      "local-ollama",
    );

    const reset = wizard(home);
    try {
      await reset.waitFor(/already set up here/);
      reset.send(["Down", "Down", "Enter"]); // Start over from scratch
      await reset.waitFor(/Archive the current configuration/);
      reset.send(["Left", "Enter"]); // Yes
      await reset.waitFor(/Type RESET to confirm/);
      await reset.typeInto("RESET");
      reset.send(["Enter"]);
      await reset.waitFor(/The previous setup is in/);
      await reset.waitFor(/Which model provider\?/);
      reset.send(["C-c"]);
      await reset.waitFor(/\[exit 1\]/);
    } finally {
      reset.close();
    }
    assert.ok(!existsSync(join(home, "config", "netclaw.json")), "the old configuration was moved away");
    const archived = readdirSync(join(home, "backups")).filter((d) => d.startsWith("init-"));
    assert.equal(archived.length, 1);
    assert.ok(existsSync(join(home, "backups", archived[0]!, "netclaw.json")));
    assert.match(
      readFileSync(join(home, "backups", archived[0]!, "identity", "SOUL.md"), "utf8"),
      /Grace Hopper/,
    );
  });

  test("Ctrl+C mid-way writes nothing", async () => {
    const home = homes.home();
    const term = wizard(home);
    try {
      await term.waitFor(/Which model provider\?/);
      term.send(["Enter"]); // Ollama
      await term.waitFor(/Endpoint/);
      term.send(["C-u"]);
      await term.typeInto(fake.url);
      term.send(["Enter"]);
      await term.waitFor(/Your name|Model \(/);
      term.send(["C-c"]);
      const screen = await term.waitFor(/\[exit \d+\]/);
      assert.match(screen, /Setup cancelled — nothing was written\./);
      assert.match(screen, /\[exit 1\]/);
    } finally {
      term.close();
    }
    assert.ok(!existsSync(join(home, "config", "netclaw.json")));
    assert.ok(!existsSync(join(home, "identity", "SOUL.md")));
  });
});
