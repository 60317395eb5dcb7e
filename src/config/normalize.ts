import { closestMatch } from "./did-you-mean.ts";
import { isTree, type Tree } from "./tree.ts";

/** The subset of JSON Schema that zod emits for our config schema. */
export type SchemaNode = {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
};

/** A key the schema does not know; `suggestion` is the closest known key at the same level (a likely typo). */
export type UnknownKey = { path: (string | number)[]; suggestion?: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Walks a merged configuration tree along the schema and returns a copy in canonical form:
 * known keys get their canonical spelling (keys are case-insensitive), environment strings are
 * coerced to the numbers and booleans the schema wants, objects with numeric keys become arrays
 * (`…__TrustedProxies__0`), enum values are matched ignoring case. Unknown keys are dropped and
 * reported; anything else that does not fit is left for the schema to reject with a clear message.
 */
export function normalizeConfig(value: unknown, schema: SchemaNode, unknown: UnknownKey[]): unknown {
  return walk(value, schema, [], unknown);
}

function walk(value: unknown, schema: SchemaNode, path: (string | number)[], unknown: UnknownKey[]): unknown {
  const node = schema.anyOf?.find((option) => option.type !== "null") ?? schema;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (node.properties || node.additionalProperties !== undefined || types.includes("object")) {
    return isTree(value) ? walkObject(value, node, path, unknown) : value;
  }
  if (types.includes("array")) {
    const list = isTree(value) ? numericKeysToArray(value) : value;
    if (!Array.isArray(list) || !node.items) return list;
    return list.map((item, index) => walk(item, node.items!, [...path, index], unknown));
  }
  if (typeof value !== "string") return value;
  if (node.enum) {
    const match = node.enum.find(
      (option) => typeof option === "string" && option.toLowerCase() === value.toLowerCase(),
    );
    return match ?? value;
  }
  const trimmed = value.trim();
  if ((types.includes("integer") || types.includes("number")) && NUMBER.test(trimmed)) return Number(trimmed);
  if (types.includes("boolean")) {
    if (trimmed.toLowerCase() === "true") return true;
    if (trimmed.toLowerCase() === "false") return false;
  }
  return value;
}

function walkObject(value: Tree, node: SchemaNode, path: (string | number)[], unknown: UnknownKey[]): Tree {
  const out: Tree = {};
  const canonical = new Map(Object.keys(node.properties ?? {}).map((key) => [key.toLowerCase(), key]));
  for (const [key, child] of Object.entries(value)) {
    const known = canonical.get(key.toLowerCase());
    if (known) {
      out[known] = walk(child, node.properties![known]!, [...path, known], unknown);
    } else if (typeof node.additionalProperties === "object") {
      out[key] = walk(child, node.additionalProperties, [...path, key], unknown);
    } else {
      const suggestion = closestMatch(key, Object.keys(node.properties ?? {}));
      unknown.push({ path: [...path, key], ...(suggestion ? { suggestion } : {}) });
    }
  }
  return out;
}

function numericKeysToArray(tree: Tree): unknown {
  const keys = Object.keys(tree);
  if (keys.length === 0 || !keys.every((key) => /^\d+$/.test(key))) return tree;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => tree[String(index)]);
}
