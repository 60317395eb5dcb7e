import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "netclaw-screen-"));
const socket = `netclaw-screen-${process.pid}`;
const tmux = (...args: string[]) => exec("tmux", ["-L", socket, "-f", "/dev/null", ...args]);
after(async () => {
  await tmux("kill-server").catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the operations in a real 20-column tmux pane and returns what the terminal shows. */
async function show(name: string, ops: unknown[]): Promise<{ rows: string[]; cursor: [number, number] }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(ops));
  const driver = join(import.meta.dirname, "fixtures", "screen-driver.ts");
  await tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "20",
    "-y",
    "12",
    `${process.execPath} ${driver} ${file}`,
  );
  let rows: string[] = [];
  let cursor: [number, number] = [0, 0];
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    rows = (await tmux("capture-pane", "-p", "-t", name)).stdout.split("\n");
    const position = (await tmux("display-message", "-p", "-t", name, "#{cursor_y} #{cursor_x}")).stdout;
    cursor = position.trim().split(" ").map(Number) as [number, number];
    if (rows.some((row) => row.includes("END"))) break;
  }
  while (rows.length > 0 && rows.at(-1) === "") rows.pop();
  return { rows, cursor };
}

describe("chat screen in a real terminal", () => {
  test("output that exactly fills a row, with the input area redrawn between chunks", async () => {
    const { rows, cursor } = await show("fill", [
      ["bottom", "typed", 5],
      ["text", "a".repeat(20)],
      ["text", "bb"],
      ["line", "END"],
    ]);
    assert.deepEqual(rows, ["a".repeat(20), "bb", "END", "› typed"]);
    assert.deepEqual(cursor, [3, 7]);
  });

  test("a wrapped multi-line input area is fully erased when output arrives, cursor mid-text", async () => {
    const long = "x".repeat(25);
    const { rows, cursor } = await show("multi", [
      ["text", "partial "],
      ["bottom", `one\n${long}\nthree`, 2],
      ["text", "answer"],
      ["bottom", `one\n${long}\nthree`, 10],
      ["text", " END"],
    ]);
    assert.deepEqual(rows, ["partial answer END", "› one", `  ${"x".repeat(18)}`, "x".repeat(7), "  three"]);
    // index 10 is in the second line: offset 2 + 6 = column 8 on its first row
    assert.deepEqual(cursor, [2, 8]);
  });

  test("an input line that exactly fills the width is erased completely; close ends on a fresh line", async () => {
    const { rows } = await show("exact", [
      ["bottom", "y".repeat(18), 18],
      ["text", "out"],
      ["close"],
      ["text", "END"],
    ]);
    assert.deepEqual(rows, ["out", "END"]);
  });
});
