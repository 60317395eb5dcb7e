import { mkdirSync } from "node:fs";
import { setSecret } from "../../config/secrets-file.ts";
import type { CliContext } from "../context.ts";
import { print, UsageError } from "../output.ts";
import { readAllStdin } from "../prompt.ts";

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
