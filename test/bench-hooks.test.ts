import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createBenchSession, driveTurn } from "../bench/session-driver.ts";
import { createFakeUpstream } from "./fakes/llm-upstream.ts";
import { fakeModelEnv } from "./helpers/model-env.ts";
import { startDaemon, tempHomes } from "./helpers/processes.ts";

const homes = tempHomes();
after(homes.cleanup);

// Correctness only: the bench measures, tests never assert timings.
test("the bench session driver runs turns through the daemon and reports what it streamed", async () => {
  const upstream = await createFakeUpstream({ handler: () => ({ tokens: 25 }) });
  const daemon = await startDaemon({ env: fakeModelEnv({ home: homes.home(), upstream }) });
  try {
    const sessionId = await createBenchSession(daemon.url);
    for (let i = 0; i < 2; i++) {
      const sample = await driveTurn({ baseUrl: daemon.url, sessionId, text: `turn ${i}` });
      assert.equal(sample.status, "completed");
      assert.equal(sample.deltas, 25);
      assert.equal(sample.errors, 0);
      assert.ok(sample.ttftMs <= sample.totalMs);
    }
  } finally {
    await daemon.stop();
    await upstream.close();
  }
});
