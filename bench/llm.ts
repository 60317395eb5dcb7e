// Model-client overhead against the fake upstream: time to first token and streaming throughput
// through `ModelClient` (AI SDK + our failover/timeouts) versus a direct fetch that parses the same
// SSE stream. Figures only — budgets are checked by eye, never asserted (testing doctrine).
import { resolveModels } from "../src/config/models.ts";
import { configSchema } from "../src/config/schema.ts";
import { createModelClient } from "../src/daemon/llm/index.ts";
import { createFakeUpstream } from "../test/fakes/llm-upstream.ts";
import { percentile } from "./measure.ts";

export type OverheadFigures = {
  runs: number;
  tokens: number;
  chunkDelayMs: number;
  direct: { ttftP50Ms: number; ttftP99Ms: number; tokensPerSecond: number };
  client: { ttftP50Ms: number; ttftP99Ms: number; tokensPerSecond: number };
  /** Client TTFT minus direct TTFT, per percentile. */
  addedTtftP50Ms: number;
  addedTtftP99Ms: number;
  /** Client throughput as a fraction of direct (1 = no loss). */
  throughputRatio: number;
};

type Sample = { ttftMs: number; totalMs: number };

const silentLogger = { warn() {}, debug() {} };

/** Streams one chat completion with plain fetch, counting content deltas as the SDK would. */
async function direct(options: { baseUrl: string; tokens: number }): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(`${options.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] }),
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) throw new Error("no body");
  let ttft = Number.NaN;
  let seen = 0;
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    const events = buffer.split("\n\n");
    buffer = events.pop() ?? "";
    for (const event of events) {
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const chunk = JSON.parse(event.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      if (chunk.choices?.[0]?.delta?.content) {
        if (seen++ === 0) ttft = performance.now() - started;
      }
    }
  }
  if (seen !== options.tokens) throw new Error(`direct: expected ${options.tokens} tokens, got ${seen}`);
  return { ttftMs: ttft, totalMs: performance.now() - started };
}

async function throughClient(options: {
  client: ReturnType<typeof createModelClient>;
  tokens: number;
}): Promise<Sample> {
  const started = performance.now();
  let ttft = Number.NaN;
  let seen = 0;
  const signal = new AbortController().signal;
  for await (const event of options.client.stream({
    role: "Main",
    messages: [{ role: "user", content: "go" }],
    signal,
  })) {
    if (event.type === "text_delta" && seen++ === 0) ttft = performance.now() - started;
    if (event.type === "error") throw new Error(`client: ${event.error.code}: ${event.error.message}`);
  }
  if (seen !== options.tokens) throw new Error(`client: expected ${options.tokens} tokens, got ${seen}`);
  return { ttftMs: ttft, totalMs: performance.now() - started };
}

const summarize = (samples: Sample[], tokens: number) => ({
  ttftP50Ms: percentile(
    samples.map((s) => s.ttftMs),
    50,
  ),
  ttftP99Ms: percentile(
    samples.map((s) => s.ttftMs),
    99,
  ),
  tokensPerSecond: (tokens * samples.length) / (samples.reduce((sum, s) => sum + s.totalMs, 0) / 1000),
});

/**
 * Runs `runs` alternating direct / client requests of `tokens` generated tokens each against a
 * fresh fake OpenAI-compatible upstream (after `warmup` unmeasured rounds, which also pay the
 * SDK's lazy import) and returns the percentiles and the throughput ratio. With `chunkDelayMs` 0
 * the fake streams as fast as it can, which measures CPU cost per token rather than what a user
 * sees; a delay of a few ms paces it like a real vendor.
 */
export async function measureModelOverhead(
  options: { runs?: number; tokens?: number; warmup?: number; chunkDelayMs?: number } = {},
): Promise<OverheadFigures> {
  const runs = options.runs ?? 50;
  const tokens = options.tokens ?? 200;
  const warmup = options.warmup ?? 5;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const upstream = await createFakeUpstream({ handler: () => ({ tokens, chunkDelayMs }) });
  try {
    const config = configSchema.parse({
      Providers: { bench: { Type: "openai-compatible", Endpoint: upstream.openaiBaseUrl, ApiKey: "bench" } },
      Models: { Main: { Provider: "bench", ModelId: "bench" } },
    });
    const client = createModelClient({ config, resolution: resolveModels(config), logger: silentLogger });
    for (let i = 0; i < warmup; i++) {
      await direct({ baseUrl: upstream.openaiBaseUrl, tokens });
      await throughClient({ client, tokens });
    }
    const directSamples: Sample[] = [];
    const clientSamples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      directSamples.push(await direct({ baseUrl: upstream.openaiBaseUrl, tokens }));
      clientSamples.push(await throughClient({ client, tokens }));
      upstream.clearRequests();
    }
    const d = summarize(directSamples, tokens);
    const c = summarize(clientSamples, tokens);
    return {
      runs,
      tokens,
      chunkDelayMs,
      direct: d,
      client: c,
      addedTtftP50Ms: c.ttftP50Ms - d.ttftP50Ms,
      addedTtftP99Ms: c.ttftP99Ms - d.ttftP99Ms,
      throughputRatio: c.tokensPerSecond / d.tokensPerSecond,
    };
  } finally {
    await upstream.close();
  }
}

if (import.meta.main) {
  const figures = await measureModelOverhead({
    runs: Number(process.env.BENCH_RUNS ?? 50),
    chunkDelayMs: Number(process.env.BENCH_CHUNK_DELAY_MS ?? 0),
  });
  const ms = (value: number) => value.toFixed(2);
  process.stdout.write(
    [
      `model client vs direct fetch — ${figures.runs} runs × ${figures.tokens} tokens (fake OpenAI-compatible upstream, ${figures.chunkDelayMs} ms between chunks)`,
      `TTFT p50 direct ${ms(figures.direct.ttftP50Ms)} ms, client ${ms(figures.client.ttftP50Ms)} ms, added ${ms(figures.addedTtftP50Ms)} ms`,
      `TTFT p99 direct ${ms(figures.direct.ttftP99Ms)} ms, client ${ms(figures.client.ttftP99Ms)} ms, added ${ms(figures.addedTtftP99Ms)} ms`,
      `throughput direct ${figures.direct.tokensPerSecond.toFixed(0)} tok/s, client ${figures.client.tokensPerSecond.toFixed(0)} tok/s, ratio ${figures.throughputRatio.toFixed(3)}`,
      "",
    ].join("\n"),
  );
}
