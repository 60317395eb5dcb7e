import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const SERVE = fileURLToPath(new URL("./serve.ts", import.meta.url));

describe("serve.ts", () => {
  it("prints its URLs, serves with a key and generated tokens, takes scripted replies, stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [SERVE, "--port", "0", "--api-key", "k1", "--tokens", "4"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, "line")) as [string];
      const info = JSON.parse(first) as { url: string; openaiBaseUrl: string; pid: number };
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.openaiBaseUrl, `${info.url}/v1`);
      assert.equal(info.pid, child.pid);
      const chat = (key: string) =>
        fetch(`${info.openaiBaseUrl}/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
        });
      assert.equal((await chat("wrong")).status, 401);
      const generated = (await (await chat("k1")).json()) as { choices: { message: { content: string } }[] };
      assert.equal(generated.choices[0]?.message.content, "lorem ipsum dolor sit");
      const queued = await fetch(`${info.url}/__fake/replies`, {
        method: "POST",
        body: JSON.stringify({ replies: ["scripted", { failure: { status: 503 } }] }),
      });
      assert.deepEqual(await queued.json(), { queued: 2 });
      const scripted = (await (await chat("k1")).json()) as { choices: { message: { content: string } }[] };
      assert.equal(scripted.choices[0]?.message.content, "scripted");
      assert.equal((await chat("k1")).status, 503);
      const invalid = await fetch(`${info.url}/__fake/replies`, { method: "POST", body: '{"txt":1}' });
      assert.equal(invalid.status, 400);
      await invalid.body?.cancel();
      const log = (await (await fetch(`${info.url}/__fake/requests`)).json()) as { path: string }[];
      assert.equal(log.length, 4);
      assert.ok(log.every((entry) => entry.path === "/v1/chat/completions"));
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses a bad --port with exit code 2", async () => {
    const child = spawn(process.execPath, [SERVE, "--port", "abc"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /--port must be a non-negative integer/);
  });
});
