import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileEditTool } from "./file-edit.ts";
import { fileListTool } from "./file-list.ts";
import { fileReadTool } from "./file-read.ts";
import { fileSearchTool } from "./file-search.ts";
import { fileWriteTool } from "./file-write.ts";
import { tempWorkspace, testContext } from "./fixtures/tool-context.ts";
import { runTool } from "./run-tool.ts";
import type { Tool } from "./tool.ts";

const call = (tool: Tool, rawArgs: unknown, ctx: ReturnType<typeof testContext>) =>
  runTool({ tool, rawArgs, ctx });

test("file_read numbers lines, pages with Offset/Limit, describes binaries", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  writeFileSync(join(sessionDir, "a.txt"), Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join("\n"));
  const all = await call(fileReadTool, { Path: "a.txt" }, ctx);
  assert.match(all.content, /^ {5}1\tline 1\n/);
  assert.doesNotMatch(all.content, /\[lines/);
  const page = await call(fileReadTool, { Path: "a.txt", Offset: 4, Limit: 3 }, ctx);
  assert.equal(
    page.content,
    "     4\tline 4\n     5\tline 5\n     6\tline 6\n[lines 4–6 of 10; continue with Offset=7]",
  );
  const past = await call(fileReadTool, { Path: "a.txt", Offset: 11 }, ctx);
  assert.equal(past.isError, true);
  writeFileSync(join(sessionDir, "img.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
  assert.match((await call(fileReadTool, { Path: "img.png" }, ctx)).content, /PNG image, 8 bytes/);
  const missing = await call(fileReadTool, { Path: "nope.txt" }, ctx);
  assert.equal(missing.isError, true);
  assert.match(missing.content, /does not exist/);
  const bad = await call(fileReadTool, { Path: "a.txt", Offset: 0 }, ctx);
  assert.match(bad.content, /Invalid arguments for file_read: Offset/);
});

test("file_list shows one level, sizes, symlink targets, at most 1000 entries", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  mkdirSync(join(sessionDir, "d", "deep"), { recursive: true });
  writeFileSync(join(sessionDir, "f.txt"), "12345");
  symlinkSync("/etc/hostname", join(sessionDir, "link"));
  const listed = await call(fileListTool, {}, ctx);
  assert.equal(listed.content, `${sessionDir}: 3 entries\nd/\nf.txt  5 B\nlink -> /etc/hostname`);
  const many = join(sessionDir, "many");
  mkdirSync(many);
  for (let i = 0; i < 1005; i++) writeFileSync(join(many, `f${String(i).padStart(4, "0")}`), "");
  const big = await call(fileListTool, { Path: "many" }, ctx);
  assert.match(big.content, /1005 entries/);
  assert.match(big.content, /\[… 5 more entries not shown\]$/);
  assert.equal(big.content.split("\n").length, 1 + 1000 + 1);
});

test("file_search finds names and literal contents, skips symlinks and stops at limits", async (t) => {
  const { root, sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  mkdirSync(join(sessionDir, "src", "node_modules"), { recursive: true });
  writeFileSync(join(sessionDir, "src", "main.ts"), "const a = 1;\nconst needle = 'a.b*c';\n");
  writeFileSync(join(sessionDir, "src", "node_modules", "x.ts"), "needle");
  writeFileSync(join(root, "outside.txt"), "needle outside");
  symlinkSync(root, join(sessionDir, "escape"));
  const content = await call(fileSearchTool, { Root: ".", Query: "a.b*c" }, ctx);
  assert.equal(content.content, `1 match under ${sessionDir}:\nsrc/main.ts:2: const needle = 'a.b*c';`);
  const names = await call(fileSearchTool, { Query: "MAIN", Mode: "name" }, ctx);
  assert.match(names.content, /src\/main\.ts/);
  const none = await call(fileSearchTool, { Query: "outside" }, ctx);
  assert.match(none.content, /^No files/);
  for (let i = 0; i < 20; i++) writeFileSync(join(sessionDir, `n${i}.txt`), "needle");
  const capped = await call(fileSearchTool, { Query: "needle", MaxResults: 5 }, ctx);
  assert.match(capped.content, /^5 matches/);
  assert.match(capped.content, /stopped at a limit/);
  const guarded = await call(
    fileSearchTool,
    { Query: "needle" },
    { ...ctx, canRead: (p) => !p.endsWith("n3.txt") },
  );
  assert.doesNotMatch(guarded.content, /n3\.txt/);
});

test("file_write creates parents, replaces atomically and keeps the file mode", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  const created = await call(fileWriteTool, { Path: "new/dir/x.sh", Content: "echo hi\n" }, ctx);
  assert.match(created.content, /^Created .*x\.sh \(8 bytes\)/);
  const file = join(sessionDir, "new", "dir", "x.sh");
  chmodSync(file, 0o750);
  const replaced = await call(fileWriteTool, { Path: file, Content: "echo bye\n" }, ctx);
  assert.match(replaced.content, /^Replaced/);
  assert.equal(readFileSync(file, "utf8"), "echo bye\n");
  assert.equal(statSync(file).mode & 0o777, 0o750);
  const dir = await call(fileWriteTool, { Path: "new", Content: "" }, ctx);
  assert.equal(dir.isError, true);
});

test("file_edit replaces a unique match, refuses ambiguity, and serialises parallel edits", async (t) => {
  const { sessionDir } = tempWorkspace(t);
  const ctx = testContext({ sessionDir });
  const file = join(sessionDir, "e.txt");
  writeFileSync(file, "alpha beta\nbeta gamma\n");
  const ambiguous = await call(fileEditTool, { Path: "e.txt", OldString: "beta", NewString: "B" }, ctx);
  assert.match(ambiguous.content, /occurs 2 times/);
  const missing = await call(fileEditTool, { Path: "e.txt", OldString: "delta", NewString: "D" }, ctx);
  assert.match(missing.content, /was not found/);
  const unique = await call(
    fileEditTool,
    { Path: "e.txt", OldString: "alpha beta", NewString: "$& $1" },
    ctx,
  );
  assert.equal(unique.isError, false);
  assert.equal(readFileSync(file, "utf8"), "$& $1\nbeta gamma\n");
  const all = await call(
    fileEditTool,
    { Path: "e.txt", OldString: "a", NewString: "A", ReplaceAll: true },
    ctx,
  );
  assert.match(all.content, /replaced 3 occurrences/);
  writeFileSync(file, Array.from({ length: 20 }, (_, i) => `<k${i}>`).join("\n"));
  const edits = Array.from({ length: 20 }, (_, i) =>
    call(
      fileEditTool,
      { Path: "e.txt", OldString: `<k${i}>`, NewString: `<v${i}>` },
      testContext({ sessionDir, ops: ctx.ops }),
    ),
  );
  for (const result of await Promise.all(edits)) assert.equal(result.isError, false, result.content);
  assert.equal(readFileSync(file, "utf8"), Array.from({ length: 20 }, (_, i) => `<v${i}>`).join("\n"));
});
