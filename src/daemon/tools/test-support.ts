import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToolOperations } from "./operations.ts";
import type { ToolContext } from "./tool.ts";

/** A real temp directory with a session dir inside, removed after the test. */
export function tempWorkspace(t: { after: (fn: () => void) => void }, prefix = "netclaw-tools-") {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const sessionDir = join(root, "session");
  mkdirSync(sessionDir);
  return { root, sessionDir };
}

let calls = 0;

/** A context over real operations, for tests that drive tools directly. */
export function testContext(overrides: Partial<ToolContext> & { sessionDir: string }): ToolContext {
  calls += 1;
  return {
    signal: new AbortController().signal,
    workingDirectory: overrides.sessionDir,
    onUpdate: () => {},
    ops: createToolOperations(),
    callId: `call_${process.pid}_${calls}`,
    ...overrides,
  };
}
