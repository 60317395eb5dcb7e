import { assertNoCaseDuplicateEnv, assertSafeEnvName } from "./key-hazards.ts";

/** Environment variables that configure the CLI or process, not netclaw.json keys. */
export const RESERVED_ENV = new Set([
  "NETCLAW_HOME",
  "NETCLAW_DAEMON_ENDPOINT",
  "NETCLAW_DAEMON_PATH",
  "NETCLAW_CONTAINER_SUPERVISOR",
]);

const PREFIX = "NETCLAW_";

export type EnvEntry = { name: string; path: string[]; value: string };

/**
 * Picks the configuration variables out of an environment: `NETCLAW_<Section>__<Key>__…`, with
 * `__` separating path segments (.NET convention). A variable with no `__` counts only when it
 * names a root key (`NETCLAW_DeviceToken`, `NETCLAW_configVersion`). Empty values are ignored —
 * `-e NETCLAW_X=` from a compose file with an unset substitution must not blank a setting.
 * Throws ConfigError for a reserved key name (`__proto__`, `constructor`, `prototype`), a path
 * deeper than MAX_CONFIG_DEPTH, or two variables that differ only in case.
 */
export function configEntriesFromEnv(env: NodeJS.ProcessEnv, rootKeys: readonly string[]): EnvEntry[] {
  const roots = new Set(rootKeys.map((key) => key.toLowerCase()));
  const entries: EnvEntry[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "") continue;
    if (name.length <= PREFIX.length || name.slice(0, PREFIX.length).toUpperCase() !== PREFIX) continue;
    if (RESERVED_ENV.has(name.toUpperCase())) continue;
    assertSafeEnvName(name, PREFIX);
    const rest = name.slice(PREFIX.length);
    const path = rest.split("__");
    if (path.some((segment) => segment === "")) continue;
    if (path.length === 1 && !roots.has(rest.toLowerCase())) continue;
    entries.push({ name, path, value });
  }
  // Deterministic order: the same environment gives the same configuration and messages every start.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  assertNoCaseDuplicateEnv(entries.map((entry) => entry.name));
  return entries;
}
