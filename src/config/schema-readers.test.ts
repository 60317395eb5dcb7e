import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { generateConfigJsonSchema } from "./loader.ts";
import type { SchemaNode } from "./normalize.ts";
import { UNSUPPORTED_CONFIG_KEYS, UNSUPPORTED_WEBHOOK_ROUTE_KEYS } from "./unsupported-keys.ts";
import { webhookRouteSchema } from "./webhook-routes.ts";

/**
 * "A setting exists only if code reads it" (CONVENTIONS rule 14). Every leaf key of netclaw.json
 * and of a webhook route file must be read by a source file under src/: one that accesses the key
 * (`.Key`, `?.Key`, `["Key"]`, a `["Main", "Key"]` list or a `{ Key } =` destructuring) and, when
 * the key's name is used by more than one leaf (`Enabled`, `Mode`, `Main`…), names one of its
 * parent sections too, so `Telemetry.Enabled` is not "read" by `Webhooks.Enabled`.
 * Declarations and writers do not count: the schema, the not-supported list, the init wizard
 * (it writes settings), tests and fixtures.
 */
const SRC = join(import.meta.dirname, "..");
const NOT_READERS = [
  /^config\/schema\.ts$/,
  /^config\/unsupported-keys\.ts$/,
  /^cli\/init\//,
  /\.test\.ts$/,
  /(^|\/)fixtures\//,
];

function sourceFiles(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    const path = relative(SRC, full);
    if (!entry.name.endsWith(".ts") || NOT_READERS.some((re) => re.test(path))) return [];
    return [{ path, text: readFileSync(full, "utf8") }];
  });
}
const readers = sourceFiles(SRC);

/** Leaf key paths of a JSON Schema; `*` stands for a record's names (providers, servers…). */
function leafPaths(node: SchemaNode, path: string[] = []): string[][] {
  const n = node.anyOf?.find((option) => option.type !== "null") ?? node;
  const properties = Object.entries(n.properties ?? {});
  if (properties.length > 0) return properties.flatMap(([key, child]) => leafPaths(child, [...path, key]));
  const record = typeof n.additionalProperties === "object" ? n.additionalProperties : undefined;
  if (record?.properties) return leafPaths(record, [...path, "*"]);
  return [path];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const configLeaves = leafPaths(generateConfigJsonSchema());
const routeLeaves = leafPaths(z.toJSONSchema(webhookRouteSchema, { io: "input" }) as SchemaNode);
const leafNames = [...configLeaves, ...routeLeaves].map((path) => path[path.length - 1]);
const shared = new Set(leafNames.filter((name, i) => leafNames.indexOf(name) !== i));

/** The files that read the leaf `path` (see the file comment for what counts as a read). */
function readersOf(path: readonly string[]): string[] {
  const name = path[path.length - 1]!;
  const key = escapeRegExp(name);
  const access = new RegExp(
    `(\\?\\.|\\.)${key}\\b|\\[\\s*["'\`]${key}["'\`]\\s*\\]|["'\`]${key}["'\`]\\s*[,\\]]|\\{[^{}=]*\\b${key}\\b[^{}=]*\\}\\s*=`,
  );
  const parents = shared.has(name) ? path.slice(0, -1).filter((segment) => segment !== "*") : [];
  const named = parents.map((segment) => new RegExp(`\\b${escapeRegExp(segment)}\\b`));
  return readers
    .filter(({ text }) => access.test(text) && (named.length === 0 || named.some((re) => re.test(text))))
    .map(({ path: file }) => file);
}

test("every key of the netclaw.json and webhook route schemas is read by some code in src/", () => {
  assert.ok(configLeaves.length > 50 && routeLeaves.length > 10, "the schema walk found the leaves");
  const unread = [...configLeaves, ...routeLeaves.map((p) => ["<webhook route>", ...p])]
    .filter((path) => readersOf(path[0] === "<webhook route>" ? path.slice(1) : path).length === 0)
    .map((path) => path.join("."));
  assert.deepEqual(
    unread,
    [],
    "Nothing reads these keys: implement them, or remove them from the schema and list them in unsupported-keys.ts",
  );
});

test("the not-supported keys are read nowhere (when one gets a reader, move it back into the schema)", () => {
  const leaves = [...UNSUPPORTED_CONFIG_KEYS, ...UNSUPPORTED_WEBHOOK_ROUTE_KEYS].filter(
    (key) => !UNSUPPORTED_CONFIG_KEYS.some((other) => other.startsWith(`${key}.`)),
  );
  const read = leaves.filter((key) => readersOf(key.split(".")).length > 0);
  assert.deepEqual(read, []);
  // The check is not vacuous: a key that is read is found where it is read.
  assert.ok(readersOf(["Session", "CompactionThreshold"]).includes("daemon/main.ts"));
});
