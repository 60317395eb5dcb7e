// Session-path figures (issue 3 §6), side by side with the fake upstream's own: time to first
// token added by the daemon, streaming throughput through the daemon as a fraction of direct,
// 50 sessions streaming at once, and resident memory after 1,000 turns. Figures only.
import { createFakeUpstream } from "../test/fakes/llm-upstream.ts";
import { cleanEnv, freePort, tempHome } from "../test/helpers/processes.ts";
import { percentile, rssMb, spawnUntilReady, stopChild } from "./measure.ts";
import { createBenchSession, driveTurn, type TurnSample } from "./session-driver.ts";

export type SessionFigures = {
  direct: { ttftP50Ms: number; ttftP99Ms: number; streamMs: number };
  daemon: { ttftP50Ms: number; ttftP99Ms: number; streamMs: number };
  addedTtftP50Ms: number;
  addedTtftP99Ms: number;
  throughputRatio: number;
  throughputTokens: number;
  chunkDelayMs: number;
  concurrent: { sessions: number; errors: number; ttftP99Ms: number; addedTtftP99Ms: number };
  rss: {
    afterReadyMb: number;
    afterWarmMb: number;
    busyMb: number;
    after1000TurnsMb: number;
    growthMb: number;
    turns: number;
  };
};

/** One streamed chat completion straight from the fake: TTFT and first-to-last-token time. */
async function directTurn(baseUrl: string): Promise<{ ttftMs: number; streamMs: number }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] }),
  });
  let first = Number.NaN;
  let last = Number.NaN;
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.includes('"content"')) {
      const now = performance.now();
      if (Number.isNaN(first)) first = now;
      last = now;
    }
  }
  return { ttftMs: first - started, streamMs: last - first };
}

const streamMs = (s: TurnSample) => s.totalMs - s.ttftMs;

export async function measureSessions(options: {
  netclawd: string;
  turns?: number;
  concurrent?: number;
}): Promise<SessionFigures> {
  const chunkDelayMs = 1; // ~1,000 tokens/s: ten times faster than real vendors stream
  const throughputTokens = 500;
  let mode: "small" | "paced" = "small";
  const fake = await createFakeUpstream({
    handler: () => (mode === "small" ? { tokens: 20 } : { tokens: throughputTokens, chunkDelayMs }),
  });
  const { home, cleanup } = tempHome("netclaw-bench-sessions-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    NETCLAW_HOME: home,
    NETCLAW_Daemon__Port: String(port),
    NETCLAW_Providers__bench__Type: "openai-compatible",
    NETCLAW_Providers__bench__Endpoint: fake.openaiBaseUrl,
    NETCLAW_Providers__bench__ApiKey: "bench",
    NETCLAW_Models__Main__Provider: "bench",
    NETCLAW_Models__Main__ModelId: "bench",
  });
  const { child } = await spawnUntilReady({ command: options.netclawd, args: [], env, url });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const afterReadyMb = rssMb(child.pid!);
  try {
    // Warm both paths (SDK modules load on the first turn).
    const warm = await createBenchSession(url);
    for (let i = 0; i < 5; i++) await driveTurn({ baseUrl: url, sessionId: warm, text: `warm ${i}` });
    for (let i = 0; i < 5; i++) await directTurn(fake.openaiBaseUrl);
    const afterWarmMb = rssMb(child.pid!); // the AI SDK and one provider module are loaded now

    const directTtft: number[] = [];
    const daemonTtft: number[] = [];
    const session = await createBenchSession(url);
    for (let i = 0; i < 100; i++) {
      directTtft.push((await directTurn(fake.openaiBaseUrl)).ttftMs);
      daemonTtft.push((await driveTurn({ baseUrl: url, sessionId: session, text: `ttft ${i}` })).ttftMs);
    }

    mode = "paced";
    const directStream: number[] = [];
    const daemonStream: number[] = [];
    const paced = await createBenchSession(url);
    for (let i = 0; i < 10; i++) {
      directStream.push((await directTurn(fake.openaiBaseUrl)).streamMs);
      daemonStream.push(streamMs(await driveTurn({ baseUrl: url, sessionId: paced, text: `stream ${i}` })));
    }
    mode = "small";

    const sessions = options.concurrent ?? 50;
    const ids = await Promise.all(Array.from({ length: sessions }, () => createBenchSession(url)));
    const settled = await Promise.allSettled(
      ids.map((sessionId, i) => driveTurn({ baseUrl: url, sessionId, text: `together ${i}` })),
    );
    const ok = settled.flatMap((r) =>
      r.status === "fulfilled" && r.value.status === "completed" && r.value.errors === 0 ? [r.value] : [],
    );
    const concurrentTtft = ok.map((s) => s.ttftMs);

    const turns = options.turns ?? 1000;
    const pool = await Promise.all(Array.from({ length: 10 }, () => createBenchSession(url)));
    for (let i = 0; i < turns; i++)
      await driveTurn({ baseUrl: url, sessionId: pool[i % pool.length]!, text: `turn ${i}` });
    const busyMb = rssMb(child.pid!);
    // An always-on daemon goes idle between bursts; V8's memory reducer then collects the garbage
    // a burst leaves (measured: 137 → 44 MB of heap within 10 s). That idle figure is the one that
    // says whether memory grows with use.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const after1000TurnsMb = rssMb(child.pid!);

    const median = (v: number[]) => percentile(v, 50);
    return {
      direct: {
        ttftP50Ms: median(directTtft),
        ttftP99Ms: percentile(directTtft, 99),
        streamMs: median(directStream),
      },
      daemon: {
        ttftP50Ms: median(daemonTtft),
        ttftP99Ms: percentile(daemonTtft, 99),
        streamMs: median(daemonStream),
      },
      addedTtftP50Ms: median(daemonTtft) - median(directTtft),
      addedTtftP99Ms: percentile(daemonTtft, 99) - percentile(directTtft, 99),
      throughputRatio: median(directStream) / median(daemonStream),
      throughputTokens,
      chunkDelayMs,
      concurrent: {
        sessions,
        errors: sessions - ok.length,
        ttftP99Ms: concurrentTtft.length ? percentile(concurrentTtft, 99) : Number.NaN,
        addedTtftP99Ms:
          (concurrentTtft.length ? percentile(concurrentTtft, 99) : Number.NaN) - percentile(directTtft, 99),
      },
      rss: {
        afterReadyMb,
        afterWarmMb,
        busyMb,
        after1000TurnsMb,
        growthMb: after1000TurnsMb - afterReadyMb,
        turns,
      },
    };
  } finally {
    await stopChild(child);
    await fake.close();
    cleanup();
  }
}
