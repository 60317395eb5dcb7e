import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { cleanEnv, freePort, runCli, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);
const home = homes.home;

describe("netclaw usage errors: did-you-mean, help tokens, --format", () => {
  test("a misspelt command keeps the exact message and adds a did-you-mean line, at every level", async () => {
    const cases: [string[], string][] = [
      [
        ["stauts"],
        "netclaw: 'stauts' is not a netclaw command. See 'netclaw --help'.\nDid you mean 'status'?\n",
      ],
      [
        ["sesions"],
        "netclaw: 'sesions' is not a netclaw command. See 'netclaw --help'.\nDid you mean 'sessions'?\n",
      ],
      [
        ["daemon", "strat"],
        "netclaw daemon: 'strat' is not a netclaw daemon command. See 'netclaw daemon --help'.\nDid you mean 'start'?\n",
      ],
      [
        ["mcp", "lst"],
        "netclaw mcp: 'lst' is not a netclaw mcp command. See 'netclaw mcp --help'.\nDid you mean 'list'?\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli(args, cleanEnv({ NETCLAW_HOME: home() }));
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stderr, stderr);
      assert.equal(result.stdout, "");
    }
    const helpTypo = await runCli(["help", "stauts"], cleanEnv({ NETCLAW_HOME: home() }));
    assert.equal(helpTypo.code, 2);
    assert.match(
      helpTypo.stderr,
      /^netclaw: 'stauts' is not a netclaw command\. .*\nDid you mean 'status'\?\n$/,
    );
    // a help token prints help, also after a command that has an action of its own
    for (const args of [
      ["daemon", "help"],
      ["secrets", "help"],
    ]) {
      const help = await runCli(args, cleanEnv({ NETCLAW_HOME: home() }));
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: netclaw ${args[0]} `));
    }
    const option = await runCli(["status", "--jsno"], cleanEnv({ NETCLAW_HOME: home() }));
    assert.equal(option.code, 2);
    assert.match(option.stderr, /unknown option '--jsno'\n\(Did you mean --json\?\)/);
  });

  test("status and doctor --format take text or json only: anything else is exit 2 with the list", async () => {
    const env = cleanEnv({ NETCLAW_HOME: home(), NETCLAW_Daemon__Port: String(await freePort()) });
    for (const command of ["status", "doctor"]) {
      for (const format of ["yaml", "", "jsonx"]) {
        const result = await runCli([command, "--format", format], env);
        assert.equal(result.code, 2, `${command} --format '${format}'`);
        assert.equal(
          result.stderr,
          `netclaw ${command}: unknown format '${format}'. Valid formats: text, json.\n`,
        );
        assert.equal(result.stdout, "", "refused before anything runs");
      }
      const both = await runCli([command, "--json", "--format", "text"], env);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--json and --format text contradict/);
    }
    const json = await runCli(["status", "--format", "JSON"], env);
    assert.equal(json.code, 1, "unreachable");
    assert.equal(JSON.parse(json.stdout).overall, "unreachable");
  });
});
