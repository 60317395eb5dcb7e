import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cleanEnv, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(() => homes.cleanup());

describe("netclaw approvals (offline, on config/tool-approvals.json)", () => {
  test("trust-verb, list, revoke by '<verb> in <dir>' and '<verb> anywhere'", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home });
    const dir = join(home, "workspaces", "repo");
    mkdirSync(dir, { recursive: true });
    const inDir = await runCli(["approvals", "trust-verb", "git status", "--dir", dir], env);
    assert.equal(inDir.code, 0, inDir.stderr);
    assert.match(inDir.stdout, /Trusted 'git status' in .*repo for Personal chats/);
    const anywhere = await runCli(["approvals", "trust-verb", "docker ps", "--json"], env);
    assert.equal(anywhere.code, 0, anywhere.stderr);
    assert.equal(JSON.parse(anywhere.stdout).grant.scope, "anywhere");

    const listed = await runCli(["approvals", "list", "--json"], env);
    const grants = JSON.parse(listed.stdout).grants as { verb: string; scope: string; directory?: string }[];
    assert.deepEqual(grants.map((g) => [g.verb, g.scope, g.directory]).sort(), [
      ["docker ps", "anywhere", undefined],
      ["git status", "folder", dir],
    ]);
    const text = await runCli(["approvals", "list"], env);
    assert.match(text.stdout, /Personal {2}shell_execute {2}docker ps anywhere/);

    assert.equal((await runCli(["approvals", "revoke", `git status in ${dir}`], env)).code, 0);
    assert.equal((await runCli(["approvals", "revoke", "docker ps anywhere", "--json"], env)).code, 0);
    const again = await runCli(["approvals", "revoke", "docker ps anywhere"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No grant matches 'docker ps anywhere'/);
    assert.equal(JSON.parse((await runCli(["approvals", "list", "--json"], env)).stdout).grants.length, 0);
  });

  test("interpreters cannot be trusted; a bad grant spec is a usage error", async () => {
    const env = cleanEnv({ NETCLAW_HOME: homes.home() });
    const bash = await runCli(["approvals", "trust-verb", "bash"], env);
    assert.equal(bash.code, 2);
    assert.match(bash.stderr, /can only be approved once/);
    const spec = await runCli(["approvals", "revoke", "git"], env);
    assert.equal(spec.code, 2);
  });

  test("a grants file from the future is refused, never overwritten, and doctor reports it", async () => {
    const home = homes.home();
    const env = cleanEnv({ NETCLAW_HOME: home });
    mkdirSync(join(home, "config"), { recursive: true });
    const future = `${JSON.stringify({ version: 99, grants: {} })}\n`;
    writeFileSync(join(home, "config", "tool-approvals.json"), future);
    const list = await runCli(["approvals", "list"], env);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /Cannot use .*tool-approvals\.json/);
    const add = await runCli(["approvals", "trust-verb", "ls"], env);
    assert.equal(add.code, 1);
    const doctor = await runCli(["doctor", "--json"], env);
    assert.match(doctor.stdout, /Tool Approvals/);
    assert.match(doctor.stdout, /Tool Policy/);
  });
});
