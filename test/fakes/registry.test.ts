import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeRegistry, type FakeRegistry } from "./fake-registry.ts";

type Packument = {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, { version: string; dist: { tarball: string; integrity: string } }>;
  time?: Record<string, string>;
};

describe("fake npm registry", () => {
  let registry: FakeRegistry;
  before(async () => {
    registry = await createFakeRegistry({
      packageName: "@netclaw/cli",
      distTags: { latest: "1.2.0", beta: "1.3.0-beta.1" },
      versions: ["1.0.0"],
    });
  });
  after(() => registry.close());

  it("serves the full packument for encoded and plain scoped names", async () => {
    for (const path of ["/@netclaw%2fcli", "/@netclaw/cli"]) {
      const res = await fetch(`${registry.url}${path}`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as Packument;
      assert.equal(doc.name, "@netclaw/cli");
      assert.deepEqual(doc["dist-tags"], { latest: "1.2.0", beta: "1.3.0-beta.1" });
      assert.deepEqual(Object.keys(doc.versions).sort(), ["1.0.0", "1.2.0", "1.3.0-beta.1"]);
      assert.equal(doc.versions["1.2.0"]?.dist.tarball, `${registry.url}/@netclaw/cli/-/cli-1.2.0.tgz`);
      assert.match(doc.versions["1.2.0"]?.dist.integrity ?? "", /^sha512-/);
      assert.ok(doc.time?.["1.2.0"]);
    }
  });

  it("serves the abbreviated document, one tag's manifest and the dist-tags endpoint", async () => {
    const abbreviated = await fetch(`${registry.url}/@netclaw%2fcli`, {
      headers: { accept: "application/vnd.npm.install-v1+json" },
    });
    assert.equal(abbreviated.headers.get("content-type"), "application/vnd.npm.install-v1+json");
    assert.equal(((await abbreviated.json()) as Packument).time, undefined);
    const latest = (await (await fetch(`${registry.url}/@netclaw%2fcli/latest`)).json()) as {
      version: string;
    };
    assert.equal(latest.version, "1.2.0");
    const tags = await fetch(`${registry.url}/-/package/@netclaw%2fcli/dist-tags`);
    assert.deepEqual(await tags.json(), { latest: "1.2.0", beta: "1.3.0-beta.1" });
    const unknown = await fetch(`${registry.url}/left-pad`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "Not found" });
  });

  it("changes dist-tags, fails, hangs and delays on demand, and logs requests", async () => {
    registry.setDistTags({ latest: "2.0.0" });
    const tags = await fetch(`${registry.url}/-/package/@netclaw%2fcli/dist-tags`);
    assert.deepEqual(await tags.json(), { latest: "2.0.0" });
    registry.setFailure({ status: 503 });
    const failed = await fetch(`${registry.url}/@netclaw%2fcli`);
    assert.equal(failed.status, 503);
    await failed.body?.cancel();
    registry.setFailure("hang");
    await assert.rejects(
      fetch(`${registry.url}/@netclaw%2fcli`, { signal: AbortSignal.timeout(100) }),
      /timeout|abort/i,
    );
    registry.setFailure(undefined);
    registry.setLatency(80);
    const started = performance.now();
    await (await fetch(`${registry.url}/-/package/@netclaw%2fcli/dist-tags`)).json();
    assert.ok(performance.now() - started >= 75);
    registry.setLatency(0);
    const last = registry.requests.at(-1);
    assert.equal(last?.path, "/-/package/@netclaw/cli/dist-tags");
    assert.equal(last?.method, "GET");
    await assert.rejects(registry.waitForRequests(registry.requests.length + 1, 30), /expected/);
  });

  it("honours failWith and latencyMs given at creation", async () => {
    const failing = await createFakeRegistry({
      packageName: "netclaw",
      distTags: { latest: "0.1.0" },
      failWith: { status: 500, body: { error: "boom" } },
    });
    try {
      const res = await fetch(`${failing.url}/netclaw`);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: "boom" });
      await failing.waitForRequests(1);
    } finally {
      await failing.close();
    }
  });
});
