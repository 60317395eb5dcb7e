import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "./errors.ts";
import {
  assertNoCaseDuplicateEnv,
  assertSafeEnvName,
  assertSafeTree,
  MAX_CONFIG_DEPTH,
} from "./key-hazards.ts";
import { mergeInto, setPath, type Tree } from "./tree.ts";

function refused(run: () => void): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail("expected a ConfigError");
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("assertSafeTree", () => {
  test("reserved keys anywhere, in any case, are refused with their path and the file", () => {
    const cases: [string, string][] = [
      ['{"__proto__": {"x": 1}}', "__proto__"],
      ['{"Daemon": {"constructor": 1}}', "Daemon.constructor"],
      ['{"McpServers": {"s": {"Arguments": [{"PROTOTYPE": 1}]}}}', "McpServers.s.Arguments.0.PROTOTYPE"],
      ['{"Providers": {"__Proto__": {"Type": "ollama"}}}', "Providers.__Proto__"],
    ];
    for (const [json, key] of cases) {
      const error = refused(() => assertSafeTree(JSON.parse(json), "/h/netclaw.json"));
      assert.equal(error.code, "config_key_forbidden", json);
      assert.equal(error.key, key);
      assert.match(error.message, /^\/h\/netclaw\.json contains the key '.+', which is not allowed\.$/);
      assert.match(error.remediation, /^Remove '.+' from \/h\/netclaw\.json/);
    }
  });

  test("keys that differ only in case in one object name both spellings", () => {
    const error = refused(() =>
      assertSafeTree(JSON.parse('{"Daemon": {"Port": 1, "PORT": 2}}'), "/h/netclaw.json"),
    );
    assert.equal(error.code, "config_key_duplicate");
    assert.match(error.message, /'Daemon\.Port' and 'Daemon\.PORT'/);
    // The same name in two different objects is fine.
    assertSafeTree({ A: { Port: 1 }, B: { port: 2 } }, "/h/netclaw.json");
  });

  test("nesting: the limit passes, one more level is refused with the path, a huge depth does not overflow", () => {
    assertSafeTree(nested(MAX_CONFIG_DEPTH), "f");
    const error = refused(() => assertSafeTree(nested(MAX_CONFIG_DEPTH + 1), "f"));
    assert.equal(error.code, "config_too_deep");
    assert.match(error.message, /^f is nested more than 32 levels deep at 'a(\.a){32}'\.$/);
    const arrays = JSON.parse(`${"[".repeat(200_000)}${"]".repeat(200_000)}`);
    assert.equal(refused(() => assertSafeTree({ X: arrays }, "f")).code, "config_too_deep");
  });
});

describe("environment names", () => {
  test("reserved segments, hidden __proto__ and too many segments are refused by name", () => {
    for (const name of [
      "NETCLAW_Daemon__constructor",
      "NETCLAW___proto____x",
      "NETCLAW_Providers__x__PROTOTYPE",
      "netclaw_constructor",
    ]) {
      const error = refused(() => assertSafeEnvName(name, "NETCLAW_"));
      assert.equal(error.code, "config_key_forbidden", name);
      assert.ok(error.message.includes(name));
    }
    const deep = `NETCLAW_${Array.from({ length: 33 }, () => "A").join("__")}`;
    assert.equal(refused(() => assertSafeEnvName(deep, "NETCLAW_")).code, "config_too_deep");
    assertSafeEnvName("NETCLAW_Daemon__Port", "NETCLAW_");
  });

  test("two spellings of one variable name both", () => {
    const error = refused(() => assertNoCaseDuplicateEnv(["NETCLAW_Daemon__Port", "netclaw_DAEMON__port"]));
    assert.match(error.message, /NETCLAW_Daemon__Port and netclaw_DAEMON__port/);
  });
});

test("mergeInto skips and setPath refuses a reserved key (the backstop behind the loaders)", () => {
  const base: Tree = {};
  mergeInto(base, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"p": 1}}}'));
  const error = refused(() => setPath(base, ["Providers", "__proto__", "polluted2"], true));
  assert.equal(error.code, "config_key_forbidden");
  assert.match(
    error.message,
    /^'Providers\.__proto__\.polluted2' names the key '__proto__', which is not allowed\.$/,
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).polluted2, undefined);
  assert.deepEqual(Object.keys(base), []);
});
