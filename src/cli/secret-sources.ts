import { configEntriesFromEnv } from "../config/env.ts";
import type { HomePaths } from "../config/home.ts";
import { configJsonSchema, readJsonObject } from "../config/loader.ts";
import { hasSecretName, plaintextSecretPaths } from "../config/secret-leaves.ts";
import { listStoredSecrets } from "../config/secrets-file.ts";

/** Where one secret is set. Never carries the value, its length or any part of it. */
export type SecretSource = {
  key: string;
  source: "secrets.json" | "environment" | "netclaw.json";
  /** secrets.json: stored as `ENC:`; netclaw.json and environment values are never encrypted. */
  encrypted: boolean;
  /** The environment variable's name, for `environment`. */
  variable?: string;
  /** The later layer that wins over this one (environment > secrets.json > netclaw.json). */
  overriddenBy?: string;
};

/**
 * Every secret the daemon would read, layer by layer: the leaves of secrets.json (all of them are
 * credentials), and the secret-named keys (`hasSecretName`) of netclaw.json and of this
 * process's NETCLAW_… variables. Ordered by key, then layer. Throws the readers' errors
 * (`SecretsFileError`, `ConfigError`) for a file that cannot be read.
 */
export function listSecretSources(options: { paths: HomePaths; env: NodeJS.ProcessEnv }): SecretSource[] {
  const file = readJsonObject(options.paths.configFile).tree ?? {};
  const rows: SecretSource[] = [
    // The same credential-named leaves `config validate` and doctor warn about.
    ...plaintextSecretPaths(file).map((key) => ({ key, source: "netclaw.json" as const, encrypted: false })),
    ...listStoredSecrets({ secretsPath: options.paths.secretsFile }).map((stored) => ({
      key: stored.key,
      source: "secrets.json" as const,
      encrypted: stored.encrypted,
    })),
    ...configEntriesFromEnv(options.env, Object.keys(configJsonSchema().properties ?? {}))
      .filter((entry) => hasSecretName(entry.path))
      .map((entry) => ({
        key: entry.path.join("."),
        source: "environment" as const,
        encrypted: false,
        variable: entry.name,
      })),
  ];
  const layer = { "netclaw.json": 0, "secrets.json": 1, environment: 2 };
  rows.sort(
    (a, b) => a.key.toLowerCase().localeCompare(b.key.toLowerCase()) || layer[a.source] - layer[b.source],
  );
  for (const [i, row] of rows.entries()) {
    const next = rows[i + 1];
    if (next && next.key.toLowerCase() === row.key.toLowerCase()) overridden(row, next);
  }
  return rows;
}

function overridden(row: SecretSource, by: SecretSource): void {
  row.overriddenBy = by.source === "environment" ? `environment variable ${by.variable}` : by.source;
}
