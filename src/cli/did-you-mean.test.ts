import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Command } from "commander";
import { editDistance } from "../config/did-you-mean.ts";
import { closestMatches, didYouMean, trailingHelpTarget, unknownCommandError } from "./did-you-mean.ts";

describe("did you mean", () => {
  test("edit distance counts a swap of neighbours as one edit", () => {
    assert.equal(editDistance("status", "status"), 0);
    assert.equal(editDistance("stauts", "status"), 1);
    assert.equal(editDistance("chta", "chat"), 1);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("kitten", "sitting"), 3);
  });

  test("close words and started words are suggested, far ones are not", () => {
    const commands = ["chat", "sessions", "status", "doctor", "daemon", "secrets"];
    assert.deepEqual(closestMatches("stauts", commands), ["status"]);
    assert.deepEqual(closestMatches("STATUS", commands), ["status"]);
    assert.deepEqual(closestMatches("sess", commands), ["sessions"]);
    assert.deepEqual(closestMatches("xyzzy", commands), []);
    assert.deepEqual(closestMatches("a", commands), []);
    assert.equal(didYouMean("docter", commands), "Did you mean 'doctor'?");
    assert.equal(didYouMean("s", ["a", "b"]), undefined);
    assert.equal(didYouMean("daemn", ["daemon", "daemons"]), "Did you mean 'daemon' or 'daemons'?");
  });

  test("the unknown-command error walks the command tree", () => {
    const program = new Command("netclaw");
    const daemon = program.command("daemon");
    daemon.command("start");
    daemon.command("stop");
    program.command("pair <endpoint>");
    program.command("chat").argument("[prompt]");
    assert.equal(
      unknownCommandError(program, ["daemn"]),
      "netclaw: 'daemn' is not a netclaw command. See 'netclaw --help'.\nDid you mean 'daemon'?",
    );
    assert.equal(
      unknownCommandError(program, ["daemon", "sotp"]),
      "netclaw daemon: 'sotp' is not a netclaw daemon command. See 'netclaw daemon --help'.\nDid you mean 'stop'?",
    );
    assert.equal(unknownCommandError(program, ["daemon", "start"]), undefined);
    assert.equal(unknownCommandError(program, ["chat", "hello"]), undefined, "an argument, not a command");
    assert.equal(unknownCommandError(program, ["pair", "https://x"]), undefined);
    assert.equal(unknownCommandError(program, ["--help"]), undefined);
    assert.equal(unknownCommandError(program, ["help"]), undefined);
    assert.equal(unknownCommandError(program, ["help", "daemon"]), undefined);
    assert.match(
      unknownCommandError(program, ["help", "daemn"]) ?? "",
      /^netclaw: 'daemn' is not a netclaw command/,
    );
    assert.match(
      unknownCommandError(program, ["daemon", "help", "sotp"]) ?? "",
      /^netclaw daemon: 'sotp' is not/,
    );
  });

  test("`<command> help` names the command whose help to print", () => {
    const program = new Command("netclaw");
    const daemon = program.command("daemon").action(() => {});
    daemon.command("start");
    program.command("chat").argument("[prompt]");
    assert.equal(trailingHelpTarget(program, ["daemon", "help"]), daemon);
    assert.equal(trailingHelpTarget(program, ["daemon", "start", "help"]), undefined, "no subcommands");
    assert.equal(trailingHelpTarget(program, ["chat", "help"]), undefined, "a prompt, not a help token");
    assert.equal(trailingHelpTarget(program, ["help"]), undefined, "commander's own");
    assert.equal(trailingHelpTarget(program, ["daemon", "help", "start"]), undefined);
  });
});
