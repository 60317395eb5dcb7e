import { ConfigError } from "./errors.ts";
import type { UnknownKey } from "./normalize.ts";
import { describeSource, type Provenance } from "./provenance.ts";
import { getPath, isTree, type Tree } from "./tree.ts";

/**
 * Settings the original netclaw documents that no code here implements yet. They are not in the
 * schema (a setting exists only if code reads it), but a file that has them must not read as a
 * typo: each gets its own "not supported yet (ignored)" warning instead of "unknown key", and
 * `config set` refuses them. `*` stands for one name (a provider, server or model definition).
 * A section entry (`SubAgents`) covers every key below it; a longer entry gives the spelling.
 * Remove an entry when the code that reads the key lands (schema-readers.test.ts checks both ways).
 */
export const UNSUPPORTED_CONFIG_KEYS: readonly string[] = [
  "SubAgents",
  "SubAgents.Enabled",
  "Search",
  "Search.Enabled",
  "Search.Backend",
  "Telemetry",
  "Telemetry.Enabled",
  "Session.SnapshotInterval",
  "Session.TurnLlmTimeoutSeconds",
  "Tools.ShellTimeoutSeconds",
  "Providers.*.AuthMethod",
  "Models.*.InputModalities",
  "Models.*.OutputModalities",
  "Models.Definitions.*.InputModalities",
  "Models.Definitions.*.OutputModalities",
  "McpServers.*.GrantCategory",
];

/** The same for a webhook route file (`config/webhooks/<route>.json`). */
export const UNSUPPORTED_WEBHOOK_ROUTE_KEYS: readonly string[] = ["NotificationTarget", "DeliveryRequired"];

/** "<Key> is not supported yet (ignored)": the words every surface uses. */
export function notSupportedYet(key: string): string {
  return `${key} is not supported yet (ignored)`;
}

type Segments = readonly (string | number)[];

function matches(pattern: readonly string[], path: Segments): boolean {
  return pattern.every((p, i) => p === "*" || p.toLowerCase() === String(path[i]).toLowerCase());
}

/**
 * The canonical dotted name of `path` if an entry of `list` covers it (the entry is `path` or an
 * ancestor of it), else undefined. The longest entry gives the spelling; names in `*` places and
 * segments below a section entry keep the spelling given.
 */
export function unsupportedKey(path: Segments, list: readonly string[] = UNSUPPORTED_CONFIG_KEYS) {
  let best: string[] | undefined;
  for (const entry of list) {
    const pattern = entry.split(".");
    if (pattern.length > path.length || !matches(pattern, path)) continue;
    if (!best || pattern.length > best.length) best = pattern;
  }
  if (!best) return undefined;
  return path.map((segment, i) => (best[i] && best[i] !== "*" ? best[i] : String(segment))).join(".");
}

/** Leaf paths under `path` in `tree` (`path` itself when it holds no object or an empty one). */
function leaves(tree: unknown, path: Segments): Segments[] {
  const value = getPath(tree, path.map(String));
  if (!isTree(value) || Object.keys(value).length === 0) return [path];
  return Object.keys(value).flatMap((key) => leaves(tree, [...path, key]));
}

export type UnsupportedKeyWarning = {
  code: "unsupported_key";
  key: string;
  source: string;
  message: string;
  remediation: string;
};

/**
 * Splits the loader's unknown keys into warnings for unsupported settings (one per leaf, naming
 * the file or variable that set it) and the keys that stay unknown.
 */
export function takeUnsupportedKeys(options: { unknown: UnknownKey[]; tree: Tree; provenance: Provenance }): {
  warnings: UnsupportedKeyWarning[];
  unknown: UnknownKey[];
} {
  const warnings: UnsupportedKeyWarning[] = [];
  const rest: UnknownKey[] = [];
  for (const entry of options.unknown) {
    if (unsupportedKey(entry.path) === undefined) {
      rest.push(entry);
      continue;
    }
    for (const leaf of leaves(options.tree, entry.path)) {
      const key = unsupportedKey(leaf) ?? leaf.join(".");
      const source = describeSource(options.provenance.lookup(leaf));
      warnings.push({
        code: "unsupported_key",
        key,
        source,
        message: `${notSupportedYet(key)}: set in ${source}. Nothing in this version of netclaw reads it; remove it to silence this warning.`,
        remediation: `remove ${key} (\`netclaw config unset ${key}\` when it is in netclaw.json)`,
      });
    }
  }
  return { warnings, unknown: rest };
}

/** For `config set`/`get`: throws the "not supported yet" error when `dotted` names such a key. */
export function refuseUnsupportedKey(dotted: string): void {
  const key = unsupportedKey(dotted.split(".").filter((s) => s !== ""));
  if (key === undefined) return;
  throw new ConfigError(
    "config_key_unsupported",
    `${key} is not supported yet: this version of netclaw does not implement it, so it is not set.`,
    {
      key,
      remediation: `Leave it out; \`netclaw config unset ${key}\` removes it from netclaw.json if it is there.`,
    },
  );
}
