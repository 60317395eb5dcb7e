import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, test } from "node:test";
import { deleteRouteFile, writeRouteFile } from "../../../config/webhook-routes.ts";
import { createRouteRegistry } from "./route-registry.ts";
import { route, SECRET, webhookHarness } from "./test-support.ts";
import { signBody } from "./verify-signature.ts";

type Harness = ReturnType<typeof webhookHarness>;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const body = '{"hello":"world"}';
const send = (harness: Harness, name: string) =>
  harness.app.inject({
    method: "POST",
    url: `/api/webhooks/${name}`,
    payload: body,
    headers: {
      "content-type": "application/json",
      "x-webhook-signature": signBody({ secret: SECRET, body }),
    },
  });

/** Waits for the watcher's debounced reload after a file change (bounded, so a miss fails). */
async function changed(harness: Harness, change: () => void) {
  const reloaded = harness.registry.nextReload();
  change();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the watcher did not reload within 5 s")), 5000);
  });
  try {
    await Promise.race([reloaded, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("webhook route files", () => {
  test("the directory is 0700 and route files 0600", () => {
    h = webhookHarness({ routes: { ci: route() } });
    assert.equal(statSync(h.dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(h.dir, "ci.json")).mode & 0o777, 0o600);
  });

  test("hot reload: added, broken, fixed, disabled and deleted routes take effect without a restart", async () => {
    h = webhookHarness();
    const harness = h;
    assert.equal((await send(harness, "deploy")).statusCode, 404);

    await changed(harness, () => writeRouteFile({ dir: harness.dir, name: "deploy", route: route() }));
    assert.equal((await send(harness, "deploy")).statusCode, 202);

    await changed(harness, () =>
      writeFileSync(join(harness.dir, "deploy.json"), "{ broken", { mode: 0o600 }),
    );
    assert.equal((await send(harness, "deploy")).statusCode, 404);
    assert.match(harness.logText(), /Webhook route file is invalid/);
    const listed = harness.registry.list().find((r) => r.name === "deploy");
    assert.equal(listed?.ok, false);

    await changed(harness, () => writeRouteFile({ dir: harness.dir, name: "deploy", route: route() }));
    assert.equal((await send(harness, "deploy")).statusCode, 202);

    await changed(harness, () =>
      writeRouteFile({ dir: harness.dir, name: "deploy", route: route({ Enabled: false }) }),
    );
    assert.equal((await send(harness, "deploy")).statusCode, 404);

    await changed(harness, () => writeRouteFile({ dir: harness.dir, name: "deploy", route: route() }));
    await changed(harness, () => deleteRouteFile(harness.dir, "deploy"));
    assert.equal((await send(harness, "deploy")).statusCode, 404);
    assert.equal(harness.starter.calls.length, 2);
  });

  test("a schema-invalid file disables only its route, names the key and never echoes the secret", async () => {
    h = webhookHarness({ routes: { good: route() } });
    writeFileSync(
      join(h.dir, "bad.json"),
      JSON.stringify({ Prompt: "", Verification: { Kind: "Magic", Secret: SECRET } }),
      { mode: 0o600 },
    );
    h.registry.reload();
    const bad = h.registry.list().find((r) => r.name === "bad");
    assert.ok(bad && !bad.ok);
    assert.match(bad.error, /Prompt/);
    assert.match(bad.error, /Verification\.Kind/);
    assert.ok(!bad.error.includes(SECRET));
    assert.ok(!h.logText().includes(SECRET));
    assert.equal((await send(h, "bad")).statusCode, 404);
    assert.equal((await send(h, "good")).statusCode, 202);
  });

  test("keys are case-insensitive and defaults are filled in", () => {
    h = webhookHarness();
    writeFileSync(
      join(h.dir, "lower.json"),
      JSON.stringify({ prompt: "Do it.", verification: { kind: "HeaderSecret", secret: SECRET } }),
      { mode: 0o600 },
    );
    h.registry.reload();
    const lower = h.registry.get("lower");
    assert.equal(lower?.Verification.Kind, "HeaderSecret");
    assert.equal(lower?.Audience, "Public");
    assert.equal(lower?.MaxBodyBytes, 1024 * 1024);
    assert.equal(lower?.RateLimitPerMinute, 30);
    assert.equal(lower?.Verification.SecretHeader, "X-Webhook-Secret");
  });
});

describe("keys a route file may set that are not supported yet", () => {
  test("are logged once per key when the file is loaded (not on every reload), and the route works", () => {
    const dir = mkdtempSync(join(tmpdir(), "netclaw-routes-"));
    try {
      writeFileSync(
        join(dir, "deploys.json"),
        JSON.stringify({ ...route(), NotificationTarget: { Kind: "Slack", ChannelId: "C1" } }),
        { mode: 0o600 },
      );
      const warnings: string[] = [];
      const registry = createRouteRegistry({
        dir,
        watch: false,
        logger: { info: () => {}, warn: (_obj, msg) => warnings.push(msg) },
      });
      registry.reload();
      registry.close();
      assert.deepEqual(warnings, [
        "Webhook route deploys: NotificationTarget is not supported yet (ignored)",
      ]);
      assert.ok(registry.get("deploys"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
