// A 100-call parallel tool turn through a real daemon (source checkout): the fake model asks for
// 100 `echo` shell calls in one response; measured from the message POST to turn_completed, and
// set against the same turn with one call (the model round trips both share). Exported for
// `npm run bench`; also runnable alone: `node bench/tool-turn.ts`.
import { fileURLToPath } from "node:url";
import { tempHome } from "../test/helpers/processes.ts";
import { apiClient } from "../test/helpers/sse-client.ts";
import { createToolModel, runToolTurn, startToolDaemon } from "../test/helpers/tool-turns.ts";
import { median } from "./measure.ts";

export type ToolTurnFigures = { calls: number; turnMs: number; oneCallTurnMs: number; perCallMs: number };

export async function measureToolTurn(
  options: { calls?: number; runs?: number } = {},
): Promise<ToolTurnFigures> {
  const calls = options.calls ?? 100;
  const runs = options.runs ?? 5;
  const home = tempHome("netclaw-bench-tools-");
  const model = await createToolModel();
  const daemon = await startToolDaemon({
    home: home.home,
    model,
    extra: { NETCLAW_Session__MaxToolCallsPerTurn: String(calls + 10) },
  });
  try {
    const api = apiClient(daemon.url);
    const time = async (n: number) => {
      const sessionId = await api.createSession();
      const text = model.script(
        Array.from({ length: n }, (_, i) => ({
          name: "shell_execute",
          arguments: { Command: `echo call-${i}` },
        })),
      );
      const started = performance.now();
      const turn = await runToolTurn({ daemon, sessionId, text });
      const ms = performance.now() - started;
      if (turn.results.length !== n || turn.results.some((r) => r.isError))
        throw new Error(`tool turn failed: ${JSON.stringify(turn.results.find((r) => r.isError))}`);
      return ms;
    };
    await time(calls); // warm-up
    const many: number[] = [];
    const one: number[] = [];
    for (let i = 0; i < runs; i++) {
      many.push(await time(calls));
      one.push(await time(1));
    }
    const turnMs = median(many);
    const oneCallTurnMs = median(one);
    return { calls, turnMs, oneCallTurnMs, perCallMs: (turnMs - oneCallTurnMs) / (calls - 1) };
  } finally {
    await daemon.stop();
    await model.upstream.close();
    home.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await measureToolTurn());
