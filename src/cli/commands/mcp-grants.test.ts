import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../output.ts";
import { applyEdit, checkGranted, toolNames } from "./mcp-grants.ts";

const flag = { flag: "--grant", server: "files" };

test("toolNames: bare names and this server's <server>/<tool> (any case); another server's prefix or an empty list is refused", () => {
  assert.deepEqual(toolNames(" read_file, files/list ,FILES/stat,", flag), ["read_file", "list", "stat"]);
  assert.deepEqual(toolNames("*", flag), ["*"]);
  assert.throws(
    () => toolNames("other/read_file", flag),
    /'other\/read_file' names a tool of server 'other', not of 'files'/,
  );
  assert.throws(() => toolNames("filesystem/read", flag), UsageError);
  for (const empty of ["", ",", " , "])
    assert.throws(() => toolNames(empty, flag), /--grant takes tool names/);
});

test("checkGranted: names are exact (as the policy matches them), '*' always passes, the message lists the tools", () => {
  const tools = ["read_file", "list_directory"];
  checkGranted({ server: "files", names: ["read_file", "*"], tools });
  assert.throws(() => checkGranted({ server: "files", names: ["Read_File", "write", "read_file"], tools }), {
    message:
      "MCP server 'files' has no tool named 'Read_File', 'write'; nothing was changed. Its tools: list_directory, read_file.",
  });
  assert.throws(() => checkGranted({ server: "files", names: ["x"], tools: [] }), /It lists no tools\./);
});

test("applyEdit: grants add, '*' revokes all, a revoke of what is not granted by name is refused", () => {
  const where = "W";
  assert.deepEqual(applyEdit(["b"], { grant: ["a"], revoke: [], where }), ["a", "b"]);
  assert.deepEqual(applyEdit(["a", "b"], { grant: [], revoke: ["a"], where }), ["b"]);
  assert.deepEqual(applyEdit(["a", "*"], { grant: [], revoke: ["*"], where }), []);
  assert.throws(
    () => applyEdit(["a"], { grant: [], revoke: ["A"], where }),
    /'A' is not granted in W \(granted: a\)/,
  );
  assert.throws(() => applyEdit([], { grant: [], revoke: ["a"], where }), /\(nothing is\)/);
  assert.throws(
    () => applyEdit(["*"], { grant: [], revoke: ["a"], where }),
    /not granted by name: W grants '\*'/,
  );
});
