import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resident set size of a live process in MB, from /proc. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

/** Spawns a command and resolves with its wall time once it exits. */
export function timeCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ ms: performance.now() - started, code }));
  });
}

/** Spawns a daemon and measures spawn → first 200 from /api/health/ready, polling every 2 ms. */
export async function spawnUntilReady(options: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  url: string;
}): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  const child = spawn(options.command, options.args, { env: options.env, stdio: "ignore" });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error("daemon exited before it was ready");
    try {
      const response = await fetch(`${options.url}/api/health/ready`);
      await response.body?.cancel();
      if (response.status === 200) return { child, readyMs: performance.now() - started };
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 20_000) throw new Error("daemon not ready after 20 s");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await done;
}
