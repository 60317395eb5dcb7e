import { readFileSync } from "node:fs";
import { join } from "node:path";
import { editConfigFile, parseValue, resolveKey, setPath, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { getPath } from "../../config/tree.ts";
import { unsupportedKey } from "../../config/unsupported-keys.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";

/** Runs a settings action; a ConfigError becomes `error:` + `fix:` lines and exit 1. */
export function settings(action: () => number): number {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`error: ${error.message}`);
    printError(`       fix: ${error.remediation}`);
    return 1;
  }
}

const load = (context: CliContext) => loadHomeConfig({ paths: context.paths, env: context.env });

export function configPath(context: CliContext): number {
  print(`config   ${context.paths.configFile}`);
  print(`secrets  ${context.paths.secretsFile}`);
  print(`home     ${context.paths.root}`);
  return 0;
}

export function configSchema(): number {
  const shipped = join(import.meta.dirname, "..", "..", "..", "netclaw-config.v1.schema.json");
  process.stdout.write(readFileSync(shipped, "utf8"));
  return 0;
}

export function configValidate(context: CliContext): number {
  return settings(() => {
    const loaded = load(context);
    for (const warning of loaded.warnings) print(`warning: ${warning.message}`);
    print(
      loaded.configFileExists
        ? `${context.paths.configFile} is valid.`
        : "No netclaw.json yet; the defaults and environment are valid.",
    );
    return 0;
  });
}

/** `config get <Key>`: the effective value (defaults < file < secrets < environment); secrets are never printed. */
export function configGet(context: CliContext, dotted: string, options: { json?: boolean }): number {
  return settings(() => {
    const key = resolveKey(dotted);
    const value = getPath(load(context).config, key.path);
    if (key.secret) {
      print(value === undefined ? "(not set)" : "(set — secrets are never printed)");
      return value === undefined ? 1 : 0;
    }
    if (value === undefined) {
      print("(not set)");
      return 1;
    }
    print(
      options.json || typeof value === "object"
        ? JSON.stringify(value, null, options.json ? 0 : 2)
        : String(value),
    );
    return 0;
  });
}

export function configSet(context: CliContext, dotted: string, text: string): number {
  return settings(() => {
    const key = resolveKey(dotted);
    if (key.secret) {
      throw new ConfigError(
        "config_key_secret",
        `${key.path.join(".")} is a secret and does not belong in netclaw.json.`,
        {
          remediation: `Use \`netclaw secrets set ${key.path.join(".")}\` (it is stored encrypted), or the environment variable NETCLAW_${key.path.join("__")}.`,
        },
      );
    }
    const value = parseValue(key, text);
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => setPath(file, key.path, value),
    });
    print(`Set ${key.path.join(".")} = ${JSON.stringify(value)} in ${context.paths.configFile}.`);
    return 0;
  });
}

export function configUnset(context: CliContext, dotted: string): number {
  return settings(() => {
    // A key that is not supported yet can still be removed (it is how its warning goes away).
    const unsupported = unsupportedKey(dotted.split(".").filter((s) => s !== ""));
    const path = unsupported === undefined ? resolveKey(dotted).path : unsupported.split(".");
    let removed = false;
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        removed = unsetPath(file, path);
      },
    });
    print(
      removed
        ? `Removed ${path.join(".")} from ${context.paths.configFile}.`
        : `${path.join(".")} was not set in ${context.paths.configFile}.`,
    );
    return 0;
  });
}
