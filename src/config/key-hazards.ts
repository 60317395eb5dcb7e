import { ConfigError } from "./errors.ts";
import { isForbiddenKey, isTree } from "./tree.ts";

/** No netclaw setting is nested deeper than a handful of levels; 32 leaves room and bounds recursion. */
export const MAX_CONFIG_DEPTH = 32;

const RESERVED_NOTE = "'__proto__', 'constructor' and 'prototype' are reserved names";

type Pending = { value: unknown; path: string[] };

/**
 * Refuses a parsed configuration layer (netclaw.json, secrets.json) before anything merges it:
 * a reserved key anywhere (objects inside arrays included), nesting deeper than
 * MAX_CONFIG_DEPTH, or two keys of one object that differ only in case (keys are
 * case-insensitive, so which one wins would be an accident). Walks with an explicit stack so a
 * hostile depth cannot overflow the call stack. Throws ConfigError naming `file` and the key path.
 */
export function assertSafeTree(tree: unknown, file: string): void {
  const stack: Pending[] = [{ value: tree, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next;
    if (path.length > MAX_CONFIG_DEPTH) throw tooDeep(path, file);
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        stack.push({ value: item, path: [...path, String(index)] });
      });
    } else if (isTree(value)) {
      checkObjectKeys(Object.keys(value), path, file);
      for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: [...path, key] });
    }
  }
}

function checkObjectKeys(keys: string[], path: string[], file: string): void {
  const seen = new Map<string, string>();
  for (const key of keys) {
    if (isForbiddenKey(key)) throw forbidden([...path, key], file);
    const lower = key.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) {
      const a = [...path, first].join(".");
      const b = [...path, key].join(".");
      throw new ConfigError(
        "config_key_duplicate",
        `${file} sets both '${a}' and '${b}': keys are case-insensitive, so these are the same key.`,
        { key: a, remediation: `Keep one spelling in ${file} and remove the other.` },
      );
    }
    seen.set(lower, key);
  }
}

function forbidden(path: string[], file: string): ConfigError {
  const key = path.join(".");
  return new ConfigError("config_key_forbidden", `${file} contains the key '${key}', which is not allowed.`, {
    key,
    remediation: `Remove '${key}' from ${file} (${RESERVED_NOTE}; no netclaw setting uses them).`,
  });
}

function tooDeep(path: string[], file: string): ConfigError {
  const key = path.slice(0, MAX_CONFIG_DEPTH + 1).join(".");
  return new ConfigError(
    "config_too_deep",
    `${file} is nested more than ${MAX_CONFIG_DEPTH} levels deep at '${key}'.`,
    {
      key,
      remediation: `Remove or flatten the value under '${path[0]}' in ${file}: no netclaw setting is nested that deep.`,
    },
  );
}

/**
 * The same rules for one configuration environment variable (`NETCLAW_<Section>__<Key>…`): a
 * reserved segment (or a `__proto__` hidden between separators) or more than MAX_CONFIG_DEPTH
 * segments. Throws ConfigError naming the variable.
 */
export function assertSafeEnvName(name: string, prefix: string): void {
  const rest = name.slice(prefix.length);
  const segments = rest.split("__");
  if (rest.toLowerCase().includes("__proto__") || segments.some(isForbiddenKey)) {
    throw new ConfigError(
      "config_key_forbidden",
      `The environment variable ${name} names a key that is not allowed.`,
      { key: name, remediation: `Unset ${name} (${RESERVED_NOTE}; no netclaw setting uses them).` },
    );
  }
  if (segments.length > MAX_CONFIG_DEPTH) {
    throw new ConfigError(
      "config_too_deep",
      `The environment variable ${name} is nested more than ${MAX_CONFIG_DEPTH} levels deep.`,
      { key: name, remediation: `Unset ${name}: no netclaw setting is nested that deep.` },
    );
  }
}

/** Refuses two configuration variables whose names differ only in case; names both. */
export function assertNoCaseDuplicateEnv(names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new ConfigError(
        "config_key_duplicate",
        `The environment variables ${first} and ${name} set the same key: names are case-insensitive.`,
        { key: name, remediation: `Unset one of ${first} and ${name}.` },
      );
    }
    seen.set(name.toLowerCase(), name);
  }
}
