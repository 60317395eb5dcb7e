// `npm run bench`: measures the shipped package (npm pack → install) and the source checkout.
// Figures are medians; budgets are printed beside them, never asserted (see the testing doctrine).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packAndInstall } from "../test/helpers/pack.ts";
import { NETCLAW, NETCLAWD, ROOT } from "../test/helpers/processes.ts";
import { measurePolicy } from "./policy.ts";
import { measureStartup, type StartupFigures } from "./startup.ts";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const budgets = { readyMs: 300, idleRssMb: 70, statusMs: 150 };

process.stdout.write(`netclaw bench — ${runs} runs each, Node ${process.version}\n`);
const installed = packAndInstall();
const results: StartupFigures[] = [];
try {
  results.push(
    await measureStartup(
      { label: "installed package (dist)", netclaw: installed.netclaw, netclawd: installed.netclawd },
      runs,
    ),
  );
  results.push(
    await measureStartup(
      { label: "source checkout (type stripping)", netclaw: NETCLAW, netclawd: NETCLAWD },
      runs,
    ),
  );
} finally {
  rmSync(join(installed.prefix, ".."), { recursive: true, force: true });
}

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const lines = [
  row(["build", "spawn→ready ms", "idle RSS MB", "`status` ms", "`--version` ms"]),
  row(["---", "---", "---", "---", "---"]),
  ...results.map((r) =>
    row([
      r.label,
      r.readyMs.toFixed(0),
      r.idleRssMb.toFixed(1),
      r.statusMs.toFixed(0),
      r.versionMs.toFixed(0),
    ]),
  ),
  row(["budget", `≤ ${budgets.readyMs}`, `≤ ${budgets.idleRssMb}`, `≤ ${budgets.statusMs}`, "—"]),
];
process.stdout.write(`\n${lines.join("\n")}\n`);
const policy = await measurePolicy();
process.stdout.write(
  `\ntool policy check per call: p50 ${policy.evaluateP50Us.toFixed(0)} µs, p95 ${policy.evaluateP95Us.toFixed(0)} µs, p99 ${policy.evaluateP99Us.toFixed(0)} µs; 100-call parallel tool turn: ${policy.parallelTurnMs.toFixed(0)} ms\n`,
);
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  join(ROOT, "bench", "results", "latest.json"),
  `${JSON.stringify({ at: new Date().toISOString(), runs, results, policy }, null, 2)}\n`,
);
