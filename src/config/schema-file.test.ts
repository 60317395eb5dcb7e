import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { generateConfigJsonSchema } from "./loader.ts";

test("netclaw-config.v1.schema.json matches the zod schema (run `npm run build` to regenerate)", () => {
  const shipped = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "netclaw-config.v1.schema.json"), "utf8"),
  );
  const { $id: _id, title: _title, ...rest } = shipped;
  assert.deepEqual(rest, JSON.parse(JSON.stringify(generateConfigJsonSchema())));
  assert.deepEqual(
    Object.keys(shipped.properties).sort(),
    Object.keys(generateConfigJsonSchema().properties ?? {}).sort(),
  );
});
