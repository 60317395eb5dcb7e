import { ConfigError } from "./errors.ts";

/** A plain JSON object tree as read from a config file or built from the environment. */
export type Tree = { [key: string]: unknown };

export function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Names that reach JavaScript's prototype machinery when used as property names: a merge that
 * writes `tree["__proto__"]` changes the prototype instead of adding a key. JSON.parse turns
 * `"__proto__"` into an own property, so it survives parsing and must be refused by name.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Whether `name` is one of the reserved names, in any spelling. */
export function isForbiddenKey(name: string): boolean {
  return FORBIDDEN_KEYS.has(name.toLowerCase());
}

/** Finds the key of `tree` that equals `key` ignoring case (the spelling first written wins). */
export function findKey(tree: Tree, key: string): string | undefined {
  if (Object.hasOwn(tree, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(tree).find((existing) => existing.toLowerCase() === lower);
}

/** Dotted display form of a key path: `Providers.openrouter.ApiKey`, `Daemon.TrustedProxies.0`. */
export function dotted(path: readonly (string | number)[]): string {
  return path.join(".");
}

/**
 * Sets `value` at `path`, creating objects on the way and matching existing keys
 * case-insensitively. A non-object in the way is replaced (a later layer wins). Throws
 * ConfigError for a path with a reserved segment (`__proto__`…), which would reach a prototype:
 * a provider or server name given on the command line can be one.
 */
export function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  const reserved = path.find(isForbiddenKey);
  if (reserved !== undefined) {
    throw new ConfigError(
      "config_key_forbidden",
      `'${path.join(".")}' names the key '${reserved}', which is not allowed.`,
      {
        key: path.join("."),
        remediation: "Choose another name: '__proto__', 'constructor' and 'prototype' are reserved names.",
      },
    );
  }
  let node = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const key = findKey(node, segment) ?? segment;
    const next = node[key];
    if (isTree(next)) {
      node = next;
    } else {
      const created: Tree = Array.isArray(next) ? { ...next } : {};
      node[key] = created;
      node = created;
    }
  }
  const last = path[path.length - 1]!;
  node[findKey(node, last) ?? last] = value;
}

/** Reads the value at a case-insensitive path (numeric segments index arrays), or undefined. */
export function getPath(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      node = node[Number(segment)];
      continue;
    }
    if (!isTree(node)) return undefined;
    const key = findKey(node, segment);
    if (key === undefined) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Deep-merges `overlay` into `base` (mutating `base`): objects merge key by key with
 * case-insensitive matching, anything else in the overlay replaces. Arrays replace whole, as a
 * later JSON layer would; environment arrays arrive as objects with numeric keys and merge
 * element-wise, which is the .NET behaviour for `…__0`, `…__1`. Reserved keys (`__proto__`…)
 * are skipped, never merged (see setPath).
 */
export function mergeInto(base: Tree, overlay: Tree): Tree {
  for (const [key, value] of Object.entries(overlay)) {
    if (isForbiddenKey(key)) continue;
    const existingKey = findKey(base, key) ?? key;
    const existing = base[existingKey];
    if (isTree(value) && isTree(existing)) {
      mergeInto(existing, value);
    } else if (isTree(value) && Array.isArray(existing)) {
      base[existingKey] = mergeInto({ ...existing }, value);
    } else {
      base[existingKey] = isTree(value) ? mergeInto({}, value) : value;
    }
  }
  return base;
}
