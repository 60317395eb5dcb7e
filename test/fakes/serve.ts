/**
 * Runs the fake LLM upstream on its own, e.g. for a daemon in a `--network host` container:
 *
 *   node test/fakes/serve.ts [--port N] [--api-key K] [--tokens N]
 *
 * Prints one JSON line on stdout (`url` and the per-vendor base URLs), then serves until SIGTERM
 * or SIGINT. `--tokens N` makes unscripted replies N generated tokens (for benchmarks); replies
 * can be queued and the request log read over the `/__fake/*` control routes (see control.ts).
 */
import { parseArgs } from "node:util";
import { createFakeUpstream } from "./llm-upstream.ts";

function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    process.stderr.write(`serve: --${name} must be a non-negative integer, got "${value}"\n`);
    process.exit(2);
  }
  return parsed;
}

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "api-key": { type: "string" },
    tokens: { type: "string" },
  },
  strict: true,
});

const port = nonNegativeInt("port", values.port);
const tokens = nonNegativeInt("tokens", values.tokens);
const apiKey = values["api-key"];

const upstream = await createFakeUpstream({
  control: true,
  ...(port === undefined ? {} : { port }),
  ...(apiKey === undefined ? {} : { apiKey }),
  ...(tokens === undefined ? {} : { handler: () => ({ tokens }) }),
});

process.stdout.write(
  `${JSON.stringify({
    url: upstream.url,
    openaiBaseUrl: upstream.openaiBaseUrl,
    anthropicBaseUrl: upstream.anthropicBaseUrl,
    ollamaBaseUrl: upstream.ollamaBaseUrl,
    openrouterBaseUrl: upstream.openrouterBaseUrl,
    pid: process.pid,
  })}\n`,
);

const stop = () => {
  upstream.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
