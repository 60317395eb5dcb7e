import { cleanEnv, freePort, tempHome } from "../test/helpers/processes.ts";
import { median, rssMb, spawnUntilReady, stopChild, timeCommand } from "./measure.ts";

export type Binaries = { label: string; netclaw: string; netclawd: string };
export type StartupFigures = {
  label: string;
  readyMs: number;
  idleRssMb: number;
  statusMs: number;
  versionMs: number;
};

/**
 * Foundation figures (issue 2), medians over `runs`: spawn → /api/health/ready 200, RSS once
 * idle after ready, `netclaw status` and `netclaw --version` wall times.
 */
export async function measureStartup(bin: Binaries, runs: number): Promise<StartupFigures> {
  const ready: number[] = [];
  const rss: number[] = [];
  const status: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { home, cleanup } = tempHome("netclaw-bench-");
    const port = await freePort();
    const env = cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Port: String(port) });
    const url = `http://127.0.0.1:${port}`;
    try {
      const { child, readyMs } = await spawnUntilReady({ command: bin.netclawd, args: [], env, url });
      ready.push(readyMs);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // let start-up garbage settle
      rss.push(rssMb(child.pid!));
      const s = await timeCommand(bin.netclaw, ["status"], env);
      if (s.code !== 2 && s.code !== 0) throw new Error(`netclaw status exited ${s.code}`);
      status.push(s.ms);
      version.push((await timeCommand(bin.netclaw, ["--version"], env)).ms);
      await stopChild(child);
    } finally {
      cleanup();
    }
  }
  return {
    label: bin.label,
    readyMs: median(ready),
    idleRssMb: median(rss),
    statusMs: median(status),
    versionMs: median(version),
  };
}
