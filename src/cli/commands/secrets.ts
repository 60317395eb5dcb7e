import { mkdirSync } from "node:fs";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { resolveModels } from "../../config/models.ts";
import { removeSecret, SecretsFileError, setSecret } from "../../config/secrets-file.ts";
import type { CliContext } from "../context.ts";
import { print, printError, UsageError } from "../output.ts";
import { readAllStdin } from "../prompt.ts";
import { listSecretSources, type SecretSource } from "../secret-sources.ts";

export type SecretsSetOptions = { key: string; value?: string; fromEnv?: string };

/**
 * `netclaw secrets set <Dotted.Key> [value]`: stores the value encrypted in config/secrets.json.
 * The value comes from the argument, from `--from-env VAR`, or from stdin (one trailing newline
 * dropped) — the last two keep it out of the process list and shell history. Never prints it.
 */
export async function secretsSetCommand(context: CliContext, options: SecretsSetOptions): Promise<number> {
  if (options.value !== undefined && options.fromEnv !== undefined) {
    throw new UsageError("netclaw secrets set: give the value as an argument or with --from-env, not both.");
  }
  let value: string;
  if (options.fromEnv !== undefined) {
    const fromEnv = context.env[options.fromEnv];
    if (fromEnv === undefined) {
      throw new UsageError(`netclaw secrets set: environment variable ${options.fromEnv} is not set.`);
    }
    value = fromEnv;
  } else if (options.value !== undefined) {
    value = options.value;
  } else {
    if (process.stdin.isTTY) process.stderr.write(`Value for ${options.key} (then Enter and Ctrl-D): `);
    value = (await readAllStdin()).replace(/\r?\n$/, "");
  }
  if (value === "") throw new UsageError(`netclaw secrets set: the value for ${options.key} is empty.`);
  mkdirSync(context.paths.configDir, { recursive: true });
  setSecret({
    secretsPath: context.paths.secretsFile,
    keyPath: context.paths.secretsKey,
    dottedKey: options.key,
    value,
  });
  print(`Set ${options.key} (encrypted).`);
  return 0;
}

/**
 * `netclaw secrets list [--json]`: every secret's key and where it comes from — secrets.json
 * (encrypted or plain text), an environment variable (by name), or netclaw.json (plain text).
 * Never a value, a length or a prefix. Exit 0, or 1 when a file cannot be read.
 */
export async function secretsListCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const rows = sources(context);
  if (!rows) return 1;
  if (options.json) {
    print(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    print(`No secrets are set (none in ${context.paths.secretsFile}, netclaw.json or NETCLAW_* variables).`);
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.key.length));
  for (const row of rows) print(`${row.key.padEnd(width)}  ${describe(row)}`);
  return 0;
}

function describe(row: SecretSource): string {
  const where =
    row.source === "environment"
      ? `environment variable ${row.variable}`
      : row.source === "secrets.json"
        ? `secrets.json (${row.encrypted ? "encrypted" : "plain text — run `netclaw doctor --fix` to encrypt it"})`
        : `netclaw.json (plain text — move it: \`netclaw secrets set ${row.key} <value>\`, then \`netclaw config unset ${row.key}\`)`;
  return row.overriddenBy ? `${where}, overridden by ${row.overriddenBy}` : where;
}

/**
 * `netclaw secrets unset <Dotted.Key>`: removes the value (or section) from secrets.json,
 * atomically. A key that only the environment or netclaw.json sets is not removed (exit 1, with
 * what to do instead). Exit 0 removed, 1 not found or failure, 2 an invalid key.
 */
export async function secretsUnsetCommand(context: CliContext, key: string): Promise<number> {
  let removed: string | undefined;
  try {
    removed = removeSecret({
      secretsPath: context.paths.secretsFile,
      keyPath: context.paths.secretsKey,
      dottedKey: key,
    });
  } catch (error) {
    if (error instanceof SecretsFileError && error.code === "secrets_key_invalid")
      throw new UsageError(`netclaw secrets unset: ${error.message}`);
    throw error;
  }
  const elsewhere = (rows: SecretSource[]) =>
    rows.filter((row) => row.source !== "secrets.json" && isSameOrBelow(row.key, key));
  if (removed !== undefined) {
    print(`Removed ${removed} from secrets.json.`);
    // The removal is done; a netclaw.json that cannot be read only costs these notes.
    let rest: SecretSource[] = [];
    try {
      rest = elsewhere(listSecretSources({ paths: context.paths, env: context.env }));
    } catch {}
    for (const row of rest) print(`Note: ${row.key} is still set by ${where(row)}.`);
    warnIfNowInvalid(context);
    return 0;
  }
  const all = sources(context);
  if (!all) return 1;
  const hint = elsewhere(all)[0];
  if (hint?.source === "environment") {
    printError(
      `netclaw secrets unset: ${key} is not in secrets.json; it comes from the environment variable ${hint.variable}, which netclaw cannot unset. Remove that variable from the daemon's environment and restart the daemon.`,
    );
  } else if (hint) {
    printError(
      `netclaw secrets unset: ${key} is not in secrets.json; it is in ${context.paths.configFile} as plain text. Remove it with \`netclaw config unset ${hint.key}\`.`,
    );
  } else {
    printError(
      `netclaw secrets unset: no secret '${key}' in ${context.paths.secretsFile}. \`netclaw secrets list\` shows what is set.`,
    );
  }
  return 1;
}

/**
 * A running daemon ignores a configuration that would not start (and keeps the old value), so
 * say so when the removal made it one — e.g. the Main model's provider lost its only API key.
 */
function warnIfNowInvalid(context: CliContext): void {
  let problem: { message: string; remediation: string } | undefined;
  try {
    const models = resolveModels(loadHomeConfig({ paths: context.paths, env: context.env }).config);
    if (models.state === "invalid") problem = models;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problem = error;
  }
  if (!problem) return;
  printError(
    `warning: the configuration is now invalid: ${problem.message} A running netclawd ignores the change and keeps using the old value; the next start fails. Fix: ${problem.remediation}`,
  );
}

/** Every secret's source, or undefined after printing why a file cannot be read (and its fix). */
function sources(context: CliContext): SecretSource[] | undefined {
  try {
    return listSecretSources({ paths: context.paths, env: context.env });
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof SecretsFileError)) throw error;
    const fix = error instanceof ConfigError ? `\n       fix: ${error.remediation}` : "";
    printError(`error: ${error.message}${fix}`);
    return undefined;
  }
}

function where(row: SecretSource): string {
  return row.source === "environment"
    ? `the environment variable ${row.variable}`
    : "netclaw.json (plain text)";
}

/** `Providers.x.ApiKey` is the key `providers.x` or below it (keys are case-insensitive). */
function isSameOrBelow(rowKey: string, key: string): boolean {
  const a = rowKey.toLowerCase();
  const b = key.toLowerCase();
  return a === b || a.startsWith(`${b}.`);
}
