import { readFileSync } from "node:fs";
import { join } from "node:path";
import { editConfigFile, parseValue, resolveKey, setPath, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { hasSecretName, maskSecrets, plaintextSecretPaths } from "../../config/secret-leaves.ts";
import { getPath } from "../../config/tree.ts";
import { unsupportedKey } from "../../config/unsupported-keys.ts";
import { loadValidConfig } from "../../config/validate.ts";
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

/**
 * `config validate`: the daemon's own checks (load + validateConfig), offline. Warnings (unknown
 * keys, credentials in plain text) print but do not fail; exit 1 with the daemon's message when
 * it would refuse to start.
 */
export function configValidate(context: CliContext): number {
  return settings(() => {
    const loaded = loadValidConfig({ paths: context.paths, env: context.env });
    for (const warning of loaded.warnings) {
      print(`warning: ${warning.message}`);
      print(`         fix: ${warning.remediation}`);
    }
    print(
      loaded.configFileExists
        ? `${context.paths.configFile} is valid.`
        : "No netclaw.json yet; the defaults and environment are valid.",
    );
    return 0;
  });
}

/**
 * `config get <Key>`: the effective value (defaults < file < secrets < environment). A secret
 * leaf prints only whether it is set; a subtree prints with every secret leaf masked.
 */
export function configGet(context: CliContext, dotted: string, options: { json?: boolean }): number {
  return settings(() => {
    const key = resolveKey(dotted);
    const value = getPath(load(context).config, key.path);
    if (value === undefined) {
      print("(not set)");
      return 1;
    }
    if (key.secret && typeof value !== "object") {
      print("(set — secrets are never printed)");
      return 0;
    }
    // Masked from the root: a lone argument (`McpServers.x.Arguments.1`) is a secret only in the
    // context of the one before it (`--token`).
    const shown = getPath(maskSecrets(load(context).config, []), key.path);
    print(
      options.json || typeof shown === "object"
        ? JSON.stringify(shown, null, options.json ? 0 : 2)
        : String(shown),
    );
    return 0;
  });
}

/**
 * `config set <Key> <value> [<Key> <value>…]`: all pairs are applied together and the resulting
 * configuration is validated as a whole (settings that depend on each other, such as
 * Daemon.ExposureMode and Daemon.Host, change in one step); nothing is written if it fails.
 */
export function configSet(context: CliContext, dotted: string, text: string, more: string[] = []): number {
  return settings(() => {
    if (more.length % 2 !== 0) {
      throw new ConfigError("config_value_missing", `'${more[more.length - 1]}' has no value.`, {
        remediation: "Give key and value in pairs: `netclaw config set <Key> <value> [<Key> <value>…]`.",
      });
    }
    const pairs: [string, string][] = [[dotted, text]];
    for (let i = 0; i < more.length; i += 2) pairs.push([more[i]!, more[i + 1]!]);
    const edits = pairs.map(([name, raw]) => {
      const key = resolveKey(name);
      refuseSecret(key.path);
      const value = parseValue(key, raw);
      // A section given as JSON must not smuggle a credential in either.
      const inside = plaintextSecretPaths(value, key.path)[0];
      if (inside !== undefined) refuseSecret(inside.split("."));
      return { key, value, shown: undefined as unknown };
    });
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        for (const { key, value } of edits) setPath(file, key.path, value);
        // Masked in the edited file, so a lone argument is judged with its neighbours (`--token`).
        const masked = maskSecrets(file, []);
        for (const edit of edits) edit.shown = getPath(masked, edit.key.path);
      },
    });
    for (const { key, value, shown } of edits)
      print(
        `Set ${key.path.join(".")} = ${JSON.stringify(shown ?? maskSecrets(value, key.path))} in ${context.paths.configFile}.`,
      );
    return 0;
  });
}

/** Credentials never go into netclaw.json through `config set`. */
function refuseSecret(path: string[]): void {
  if (!hasSecretName(path)) return;
  const dotted = path.join(".");
  throw new ConfigError("config_key_secret", `${dotted} is a secret and does not belong in netclaw.json.`, {
    remediation: `Use \`netclaw secrets set ${dotted}\` (it is stored encrypted), or the environment variable NETCLAW_${path.join("__")}.`,
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
