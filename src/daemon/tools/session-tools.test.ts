import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { attachFileTool } from "./attach-file.ts";
import { tempWorkspace, testContext } from "./fixtures/tool-context.ts";
import { createBuiltinTools } from "./index.ts";
import { runTool } from "./run-tool.ts";
import { setWorkingDirectoryTool } from "./set-working-directory.ts";
import { toolDefinition } from "./tool.ts";
import { toolOutputReadTool } from "./tool-output-read.ts";

test("every built-in tool has a name, a description and an object JSON Schema", () => {
  const tools = createBuiltinTools();
  assert.deepEqual([...tools.keys()].sort(), [
    "attach_file",
    "file_edit",
    "file_list",
    "file_read",
    "file_search",
    "file_write",
    "set_working_directory",
    "shell_execute",
    "tool_output_read",
    "web_fetch",
  ]);
  for (const tool of tools.values()) {
    const definition = toolDefinition(tool);
    assert.equal(definition.parameters.type, "object", tool.name);
    assert.ok(definition.description.length > 20);
    assert.equal("$schema" in definition.parameters, false);
  }
  const read = toolDefinition(tools.get("file_read")!);
  assert.deepEqual(read.parameters.required, ["Path"]);
});

test("set_working_directory loads the first instructions file in the documented order", async (t) => {
  const { root, sessionDir } = tempWorkspace(t);
  const project = join(root, "proj");
  mkdirSync(join(project, ".netclaw"), { recursive: true });
  writeFileSync(join(project, "AGENTS.md"), "plain agents");
  writeFileSync(join(project, "CLAUDE.md"), "claude rules");
  const ctx = testContext({ sessionDir });
  const first = await runTool({ tool: setWorkingDirectoryTool, rawArgs: { Path: project }, ctx });
  assert.equal(
    first.content,
    `Working directory set to ${project}. Loaded project instructions from CLAUDE.md.`,
  );
  assert.deepEqual(first.effects?.workingDirectory, {
    path: project,
    instructionsFile: "CLAUDE.md",
    instructions: "claude rules",
  });
  writeFileSync(join(project, ".netclaw", "AGENTS.md"), "netclaw rules");
  const second = await runTool({ tool: setWorkingDirectoryTool, rawArgs: { Path: "../proj" }, ctx });
  assert.equal(second.effects?.workingDirectory?.instructions, "netclaw rules");
  const bare = join(root, "bare");
  mkdirSync(bare);
  symlinkSync(join(project, "CLAUDE.md"), join(bare, "AGENTS.md"));
  const linked = await runTool({ tool: setWorkingDirectoryTool, rawArgs: { Path: bare }, ctx });
  assert.deepEqual(linked.effects?.workingDirectory, { path: bare });
  const file = await runTool({
    tool: setWorkingDirectoryTool,
    rawArgs: { Path: join(project, "AGENTS.md") },
    ctx,
  });
  assert.equal(file.isError, true);
});

test("attach_file describes the attachment and refuses directories", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  writeFileSync(join(sessionDir, "report.csv"), "a,b\n1,2\n");
  const ctx = testContext({ sessionDir });
  const attached = await runTool({
    tool: attachFileTool,
    rawArgs: { Path: "report.csv", DisplayName: "Q3 report" },
    ctx,
  });
  assert.equal(attached.content, "Attached Q3 report (8 bytes).");
  assert.deepEqual(attached.effects?.attachment, {
    path: join(sessionDir, "report.csv"),
    displayName: "Q3 report",
    sizeBytes: 8,
  });
  const dir = await runTool({ tool: attachFileTool, rawArgs: { Path: "." }, ctx });
  assert.equal(dir.isError, true);
});

test("tool_output_read pages through a spilled output; bad call ids are refused", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  mkdirSync(join(sessionDir, "tool-calls"));
  writeFileSync(join(sessionDir, "tool-calls", "call_1.txt"), "0123456789".repeat(10));
  const ctx = testContext({ sessionDir });
  const window = await runTool({
    tool: toolOutputReadTool,
    rawArgs: { CallId: "call_1", Start: 95, Limit: 3 },
    ctx,
  });
  assert.equal(window.content, "567\n[characters 95–98 of 100; next Start=98]");
  const end = await runTool({ tool: toolOutputReadTool, rawArgs: { CallId: "call_1", Start: 98 }, ctx });
  assert.equal(end.content, "89\n[characters 98–100 of 100; end of output]");
  for (const CallId of ["../secrets", "..", "a/b"]) {
    const refused = await runTool({ tool: toolOutputReadTool, rawArgs: { CallId }, ctx });
    assert.equal(refused.isError, true);
    assert.match(refused.content, /not a valid call id/);
  }
  const unknown = await runTool({ tool: toolOutputReadTool, rawArgs: { CallId: "call_2" }, ctx });
  assert.match(unknown.content, /No saved output/);
});
