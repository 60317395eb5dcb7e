import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

// Runs in a fresh process: module resolution hooks record every package that gets loaded.
const script = `
import { registerHooks } from "node:module";
const loaded = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
    if (match) loaded.add(match[1]);
    return result;
  },
});
const { createModelClient } = await import(${JSON.stringify(new URL("./index.ts", import.meta.url).href)});
const { configSchema } = await import(${JSON.stringify(new URL("../../config/schema.ts", import.meta.url).href)});
const { resolveModels } = await import(${JSON.stringify(new URL("../../config/models.ts", import.meta.url).href)});
const config = configSchema.parse({
  Providers: { p: { Type: "openrouter", ApiKey: "k", Endpoint: "http://127.0.0.1:9/api/v1" } },
  Models: { Main: { Provider: "p", ModelId: "a/b" } },
});
const logger = { warn() {}, debug() {} };
const client = createModelClient({ config, resolution: resolveModels(config), logger });
const before = [...loaded].sort();
const signal = AbortSignal.timeout(5000);
for await (const event of client.stream({ role: "Main", messages: [{ role: "user", content: "x" }], signal })) {}
process.stdout.write(JSON.stringify({ before, after: [...loaded].sort() }));
`;

describe("lazy provider loading", () => {
  it("creating a client loads neither the AI SDK nor any vendor SDK", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const { before, after } = JSON.parse(out) as { before: string[]; after: string[] };
    const sdk = (names: string[]) =>
      names.filter((name) => name === "ai" || name.startsWith("@ai-sdk/") || name.includes("provider"));
    assert.ok(before.includes("zod"), `the hook sees packages: ${before.join(", ")}`);
    assert.deepEqual(sdk(before), [], `loaded at creation: ${before.join(", ")}`);
    // The first stream loads the SDK and the one vendor module in use, nothing else.
    assert.ok(after.includes("ai") && after.includes("@openrouter/ai-sdk-provider"), after.join(", "));
    assert.ok(
      !after.includes("@ai-sdk/anthropic") && !after.includes("ollama-ai-provider-v2"),
      after.join(", "),
    );
  });
});
