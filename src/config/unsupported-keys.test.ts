import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { resolveKey } from "./config-file.ts";
import { ConfigError } from "./errors.ts";
import { loadConfig } from "./loader.ts";
import { parseWebhookRoute } from "./webhook-routes.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-unsupported-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function load(file: unknown, env: Record<string, string> = {}) {
  const configFile = join(dir, `${n++}.json`);
  writeFileSync(configFile, JSON.stringify(file));
  return { configFile, loaded: loadConfig({ configFile, secretsFile: join(dir, "none.json"), env }) };
}

describe("settings that are not supported yet", () => {
  test("each is one warning naming the key and the file, not an unknown key; the rest still loads", () => {
    const { configFile, loaded } = load({
      configVersion: 1,
      SubAgents: { Enabled: true },
      search: { enabled: true, backend: "Brave" },
      Telemetry: { Enabled: false },
      Session: { SnapshotInterval: 5, TurnLlmTimeoutSeconds: 30, CompactionThreshold: 0.5 },
      Tools: { ShellTimeoutSeconds: 10 },
      Providers: { "my-ai": { Type: "openai", AuthMethod: "ApiKey" } },
      Models: {
        Main: { Provider: "my-ai", ModelId: "m", InputModalities: "Text, Image" },
        Definitions: { small: { Provider: "my-ai", ModelId: "s", OutputModalities: "Text" } },
      },
      McpServers: { fs: { Command: "fs-server", GrantCategory: "mcp:fs" } },
      Typo: 1,
    });
    const keys = loaded.warnings.map((w) => `${w.code} ${w.key}`).sort();
    assert.deepEqual(keys, [
      "unknown_key Typo",
      "unsupported_key McpServers.fs.GrantCategory",
      "unsupported_key Models.Definitions.small.OutputModalities",
      "unsupported_key Models.Main.InputModalities",
      "unsupported_key Providers.my-ai.AuthMethod",
      "unsupported_key Search.Backend",
      "unsupported_key Search.Enabled",
      "unsupported_key Session.SnapshotInterval",
      "unsupported_key Session.TurnLlmTimeoutSeconds",
      "unsupported_key SubAgents.Enabled",
      "unsupported_key Telemetry.Enabled",
      "unsupported_key Tools.ShellTimeoutSeconds",
    ]);
    const snapshot = loaded.warnings.find((w) => w.key === "Session.SnapshotInterval")!;
    assert.equal(snapshot.source, configFile);
    assert.equal(
      snapshot.message,
      `Session.SnapshotInterval is not supported yet (ignored): set in ${configFile}. Nothing in this version of netclaw reads it; remove it to silence this warning.`,
    );
    assert.equal(loaded.config.Session.CompactionThreshold, 0.5);
    assert.equal(loaded.config.McpServers.fs?.Command, "fs-server");
    assert.ok(!("SubAgents" in loaded.config) && !("Telemetry" in loaded.config));
  });

  test("from the environment, the warning names the variable; an empty or unknown sub-key of a section is covered", () => {
    const { loaded } = load(
      { Search: {} },
      { NETCLAW_Telemetry__Enabled: "true", NETCLAW_SUBAGENTS__MaxDepth: "3" },
    );
    const byKey = Object.fromEntries(loaded.warnings.map((w) => [w.key, w]));
    assert.deepEqual(Object.keys(byKey).sort(), ["Search", "SubAgents.MaxDepth", "Telemetry.Enabled"]);
    assert.equal(byKey["Telemetry.Enabled"]!.source, "environment variable NETCLAW_Telemetry__Enabled");
    assert.ok(loaded.warnings.every((w) => w.code === "unsupported_key"));
  });

  test("config keys: set/get refuse with 'not supported yet'; a real typo stays 'not a netclaw setting'", () => {
    for (const key of ["SubAgents.Enabled", "search.backend", "Telemetry", "Providers.x.AuthMethod"]) {
      assert.throws(
        () => resolveKey(key),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.code === "config_key_unsupported" &&
          /^\S+ is not supported yet: this version of netclaw does not implement it/.test(error.message),
        key,
      );
    }
    assert.throws(() => resolveKey("Session.SnapshotIntervall"), /is not a netclaw setting/);
    assert.deepEqual(resolveKey("session.compactionthreshold").path, ["Session", "CompactionThreshold"]);
  });

  test("a webhook route's NotificationTarget and DeliveryRequired are reported and dropped", () => {
    const parsed = parseWebhookRoute({
      Prompt: "p",
      Verification: { Secret: "0123456789abcdef" },
      notificationTarget: { Kind: "Slack", ChannelId: "C1" },
      DeliveryRequired: false,
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.unsupported, ["NotificationTarget", "DeliveryRequired"]);
    assert.ok(!("NotificationTarget" in parsed.route) && !("DeliveryRequired" in parsed.route));
    const plain = parseWebhookRoute({ Prompt: "p", Verification: { Secret: "0123456789abcdef" } });
    assert.ok(plain.ok);
    assert.deepEqual(plain.unsupported, []);
  });
});
