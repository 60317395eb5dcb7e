// `npm run bench`: measures the shipped package (npm pack → install) and the source checkout.
// Figures are medians; budgets are printed beside them, never asserted (see the testing doctrine).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packAndInstall } from "../test/helpers/pack.ts";
import { NETCLAW, NETCLAWD, ROOT } from "../test/helpers/processes.ts";
import { measureRecall } from "./memory.ts";
import { measurePolicy } from "./policy.ts";
import { measureSessions, type SessionFigures } from "./sessions.ts";
import { measureStartup, type StartupFigures } from "./startup.ts";
import { measureToolTurn } from "./tool-turn.ts";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const budgets = { readyMs: 300, idleRssMb: 70, statusMs: 150 };

process.stdout.write(`netclaw bench — ${runs} runs each, Node ${process.version}\n`);
const installed = packAndInstall();
const results: StartupFigures[] = [];
let sessions: SessionFigures | undefined;
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
  sessions = await measureSessions({ netclawd: installed.netclawd });
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
if (sessions) {
  const f = sessions;
  const ms = (v: number) => v.toFixed(1);
  process.stdout.write(
    [
      "",
      "session path (installed daemon, fake OpenAI-compatible upstream on loopback):",
      `  time to first token: direct p50 ${ms(f.direct.ttftP50Ms)} / p99 ${ms(f.direct.ttftP99Ms)} ms; through the daemon p50 ${ms(f.daemon.ttftP50Ms)} / p99 ${ms(f.daemon.ttftP99Ms)} ms; added p50 ${ms(f.addedTtftP50Ms)} / p99 ${ms(f.addedTtftP99Ms)} ms (budget p99 ≤ 10)`,
      `  throughput: ${f.throughputTokens} tokens at ${f.chunkDelayMs} ms/chunk — direct ${ms(f.direct.streamMs)} ms, daemon ${ms(f.daemon.streamMs)} ms, ratio ${f.throughputRatio.toFixed(3)} (budget ≥ 0.95)`,
      `  ${f.concurrent.sessions} sessions at once: ${f.concurrent.errors} errors, TTFT p99 ${ms(f.concurrent.ttftP99Ms)} ms (added ${ms(f.concurrent.addedTtftP99Ms)} ms)`,
      `  RSS: ready ${f.rss.afterReadyMb.toFixed(1)} MB, warm ${f.rss.afterWarmMb.toFixed(1)} MB, right after ${f.rss.turns} turns ${f.rss.busyMb.toFixed(1)} MB, after 15 s idle ${f.rss.after1000TurnsMb.toFixed(1)} MB — growth ${f.rss.growthMb.toFixed(1)} MB (budget ≤ 20)`,
    ].join("\n") + "\n",
  );
}
const toolTurn = await measureToolTurn();
process.stdout.write(
  `${toolTurn.calls}-call parallel shell turn through the daemon: ${toolTurn.turnMs.toFixed(0)} ms (1-call turn ${toolTurn.oneCallTurnMs.toFixed(0)} ms; ${toolTurn.perCallMs.toFixed(2)} ms per added call)\n`,
);
const image = imageSize(process.env.NETCLAW_BENCH_IMAGE ?? "netclaw:seed-test");
process.stdout.write(
  image
    ? `\nDocker image ${image.name}: ${image.mb.toFixed(0)} MB (built by test/docker/seed.sh)\n`
    : "\nDocker image: not measured (no engine or no image; build it with `sudo bash test/docker/seed.sh`)\n",
);
const recall = await measureRecall({ items: 10_000 });
process.stdout.write(`\nmemory recall over 10,000 items: ${JSON.stringify(recall)}\n`);
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  join(ROOT, "bench", "results", "latest.json"),
  `${JSON.stringify({ at: new Date().toISOString(), runs, results, policy, toolTurn, sessions, recall, image }, null, 2)}\n`,
);

/** The image's size from the local Docker engine, or undefined when there is none. */
function imageSize(name: string): { name: string; mb: number } | undefined {
  try {
    const bytes = execFileSync("docker", ["image", "inspect", "-f", "{{.Size}}", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    });
    return { name, mb: Number(bytes.trim()) / 1e6 };
  } catch {
    return undefined;
  }
}
