import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeUpstream, type FakeUpstream } from "../../../test/fakes/llm-upstream.ts";
import { resolveModels } from "../../config/models.ts";
import { configSchema } from "../../config/schema.ts";
import { createModelClient } from "./create-model-client.ts";
import { clientFor, collect, memoryLogger } from "./fixtures/harness.ts";

describe("roles", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await createFakeUpstream();
  });
  after(() => upstream.close());

  it("the named shape: Compaction uses its own model and fails over to Fallback", async () => {
    const config = configSchema.parse({
      Providers: { local: { Type: "ollama", Endpoint: upstream.url } },
      Models: {
        Definitions: {
          big: { Provider: "local", ModelId: "big:30b" },
          small: { Provider: "local", ModelId: "small:4b", ContextWindow: 16384 },
          spare: { Provider: "local", ModelId: "spare:8b" },
        },
        Roles: { Main: "big", Fallback: "spare", Compaction: "small" },
      },
    });
    const { client } = clientFor(config);
    upstream.clearRequests();
    upstream.enqueue("a title", { failure: { status: 503 } }, "from spare");
    const first = await collect(client, { role: "Compaction" });
    assert.equal(first.text, "a title");
    const second = await collect(client, { role: "Compaction" });
    assert.equal(second.text, "from spare");
    assert.equal(second.last?.type === "done" && second.last.model.role, "Fallback");
    const models = upstream.requests.filter((r) => r.protocol === "ollama").map((r) => r.model);
    assert.deepEqual(models, ["small:4b", "small:4b", "spare:8b"]);
    assert.equal(await client.contextWindow("Compaction"), 16384);
  });

  it("refuses an invalid resolution: the daemon must stop before building a client", () => {
    const config = configSchema.parse({
      Providers: { p: { Type: "ollama" } },
      Models: { Main: { Provider: "nope", ModelId: "m" } },
    });
    const resolution = resolveModels(config);
    assert.equal(resolution.state, "invalid");
    assert.throws(
      () => createModelClient({ config, resolution, logger: memoryLogger().logger }),
      /invalid model configuration \(Models\.Main\.Provider\)/,
    );
  });
});
