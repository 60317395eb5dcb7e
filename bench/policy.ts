// Policy overhead per tool call (p50/p99 of evaluateToolCall, µs) and the wall time of one
// 100-call parallel tool turn through the runner. Exported for `npm run bench`; also runnable
// alone: `node bench/policy.ts`.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureHome, homePaths } from "../src/config/home.ts";
import { configSchema } from "../src/config/schema.ts";
import { createGrantStore } from "../src/config/tool-approvals.ts";
import { createBuiltinTools } from "../src/daemon/tools/index.ts";
import { createToolOperations } from "../src/daemon/tools/operations.ts";
import { createToolPolicy } from "../src/daemon/tools/policy/evaluate.ts";
import { createToolRunner } from "../src/daemon/tools/tool-runner.ts";
import { median, percentile } from "./measure.ts";

/** p99 on a loaded shared machine is dominated by scheduler preemption; p95 shows the check itself. */
export type PolicyFigures = {
  evaluateP50Us: number;
  evaluateP95Us: number;
  evaluateP99Us: number;
  parallelTurnMs: number;
  calls: number;
};

const CALLS: { tool: string; args: Record<string, unknown> }[] = [
  { tool: "shell_execute", args: { Command: "git status && ls -la | grep src" } },
  { tool: "shell_execute", args: { Command: "echo $(cat notes.txt) > out.txt; npm test" } },
  { tool: "shell_execute", args: { Command: "ls; sudo rm -rf /" } },
  { tool: "file_read", args: { Path: "notes.txt" } },
  { tool: "file_write", args: { Path: "out/new.txt", Content: "x" } },
];

export async function measurePolicy(options: { iterations?: number } = {}): Promise<PolicyFigures> {
  const iterations = options.iterations ?? 2000;
  const root = mkdtempSync(join(tmpdir(), "netclaw-bench-policy-"));
  try {
    const home = homePaths(join(root, "home"));
    ensureHome(home);
    const sessionDir = join(home.sessionsDir, "bench");
    mkdirSync(sessionDir, { recursive: true });
    const config = configSchema.parse({
      Security: { DeploymentPosture: "Personal" },
      Tools: {
        AudienceProfiles: { Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } } },
      },
    });
    const grants = createGrantStore({ path: home.approvalsFile });
    const policy = createToolPolicy({ config, home, grants, userHome: join(root, "user") });
    const tools = createBuiltinTools();
    const samples: number[] = [];
    const warmup = Math.min(500, iterations);
    for (let i = -warmup; i < iterations; i++) {
      const call = CALLS[(i + warmup) % CALLS.length]!;
      const started = performance.now();
      await policy.evaluateToolCall({
        tool: tools.get(call.tool)!,
        args: call.args,
        audience: "Personal",
        sessionId: "bench",
        sessionDir,
        workingDirectory: sessionDir,
        unattended: false,
      });
      if (i >= 0) samples.push((performance.now() - started) * 1000);
    }
    const runner = createToolRunner({ tools, policy, ops: createToolOperations(), maxOutputChars: 32_000 });
    const session = {
      sessionId: "bench",
      audience: "Personal" as const,
      sessionDir,
      workingDirectory: sessionDir,
      unattended: false,
    };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        runner.run(
          {
            id: `bench_${i}`,
            name: i % 2 ? "file_list" : "shell_execute",
            arguments: i % 2 ? { Path: "." } : { Command: `echo ${i}` },
          },
          { session, signal: new AbortController().signal, requestApproval: async () => "deny" },
        ),
      ),
    );
    return {
      evaluateP50Us: median(samples),
      evaluateP95Us: percentile(samples, 95),
      evaluateP99Us: percentile(samples, 99),
      parallelTurnMs: performance.now() - started,
      calls: iterations,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measurePolicy();
  process.stdout.write(
    `policy check: p50 ${figures.evaluateP50Us.toFixed(0)} µs, p95 ${figures.evaluateP95Us.toFixed(0)} µs, p99 ${figures.evaluateP99Us.toFixed(0)} µs over ${figures.calls} calls; 100-call parallel tool turn: ${figures.parallelTurnMs.toFixed(0)} ms\n`,
  );
}
