import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Command } from "commander";
import { createContext } from "../context.ts";
import { registerWebhooksCommands } from "../webhooks-commands.ts";

const SECRET = "cli-secret-9f8e7d6c5b4a3210";

/**
 * Runs `netclaw webhooks …` through the real commander registration in this process, with a temp
 * NETCLAW_HOME, and captures what it writes to stdout and stderr.
 */
async function cli(home: string, args: string[], env: Record<string, string> = {}) {
  const program = new Command("netclaw").exitOverride();
  let pending: Promise<number> | undefined;
  const context = createContext({ NETCLAW_HOME: home, ...env });
  registerWebhooksCommands(program, (action) => {
    pending = action(context);
  });
  let out = "";
  let err = "";
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    await program.parseAsync(["webhooks", ...args], { from: "user" });
    const code = await pending!;
    return { code, out, err };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe("netclaw webhooks", () => {
  test("set creates a 0600 route from a secret file; show/list never print the secret", async (t) => {
    const home = mkdtempSync(join(tmpdir(), "netclaw-cli-webhooks-"));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const secretFile = join(home, "secret.txt");
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });

    const created = await cli(home, [
      "set",
      "github",
      "--prompt",
      "Triage the event.",
      "--secret-file",
      secretFile,
      "--events",
      "push, release",
    ]);
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /Created webhook route github/);
    const file = join(home, "config", "webhooks", "github.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, "config", "webhooks")).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(stored.Verification.Secret, SECRET);
    assert.deepEqual(stored.Events, ["push", "release"]);

    const show = await cli(home, ["show", "github"]);
    assert.equal(show.code, 0);
    assert.match(show.out, /"Kind": "Hmac"/);
    assert.match(show.out, /set, not shown/);
    const list = await cli(home, ["list", "--json"]);
    assert.equal(JSON.parse(list.out)[0].name, "github");
    for (const output of [created, show, list]) assert.ok(!(output.out + output.err).includes(SECRET));
  });

  test("set patches given fields, reads the secret from a variable, and refuses bad values without writing", async (t) => {
    const home = mkdtempSync(join(tmpdir(), "netclaw-cli-webhooks-"));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const env = { HOOK_SECRET: SECRET };
    assert.equal(
      (await cli(home, ["set", "ci", "--prompt", "Check CI.", "--secret-env", "HOOK_SECRET"], env)).code,
      0,
    );
    const file = join(home, "config", "webhooks", "ci.json");
    const before = readFileSync(file, "utf8");

    const bad = await cli(home, ["set", "ci", "--audience", "Everyone"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Audience/);
    assert.equal(readFileSync(file, "utf8"), before);
    assert.equal((await cli(home, ["set", "ci", "--secret-env", "NOPE_UNSET"])).code, 1);
    const noSecret = await cli(home, ["set", "fresh", "--prompt", "x"]);
    assert.equal(noSecret.code, 1);
    assert.match(noSecret.err, /needs a prompt and a secret/);

    const patched = await cli(home, [
      "set",
      "ci",
      "--kind",
      "HmacTimestamped",
      "--rate-limit",
      "5",
      "--disable",
    ]);
    assert.equal(patched.code, 0, patched.err);
    const route = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(route.Prompt, "Check CI.");
    assert.equal(route.Verification.Kind, "HmacTimestamped");
    assert.equal(route.Verification.Secret, SECRET);
    assert.equal(route.RateLimitPerMinute, 5);
    assert.equal(route.Enabled, false);
  });

  test("validate reports invalid files (exit 1) and delete removes a route", async (t) => {
    const home = mkdtempSync(join(tmpdir(), "netclaw-cli-webhooks-"));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    assert.equal(
      (await cli(home, ["set", "ok", "--prompt", "Fine.", "--secret-env", "S"], { S: SECRET })).code,
      0,
    );
    assert.equal((await cli(home, ["validate"])).code, 0);
    writeFileSync(join(home, "config", "webhooks", "broken.json"), '{"Prompt": 5}', { mode: 0o600 });
    const result = await cli(home, ["validate"]);
    assert.equal(result.code, 1);
    assert.match(result.out, /\[PASS\] ok/);
    assert.match(result.out, /\[FAIL\] broken: .*Prompt/);
    assert.equal((await cli(home, ["delete", "broken"])).code, 0);
    assert.equal((await cli(home, ["delete", "broken"])).code, 1);
    assert.equal((await cli(home, ["validate"])).code, 0);
    assert.equal((await cli(home, ["show", "../etc"])).code, 1);
  });
});
