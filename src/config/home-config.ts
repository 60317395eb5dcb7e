import { ConfigError } from "./errors.ts";
import type { HomePaths } from "./home.ts";
import { KeyFileError } from "./key-file.ts";
import { type LoadedConfig, loadConfig } from "./loader.ts";
import {
  decryptLeaves,
  type JsonValue,
  loadOrCreateSecretKey,
  SecretUndecryptableError,
} from "./secret-box.ts";
import type { Tree } from "./tree.ts";

/**
 * The `decryptSecrets` hook of `loadConfig` for one home: decrypts every `ENC:` leaf of
 * secrets.json with `keys/secrets.key` (never created here). Plaintext leaves pass through (doctor
 * warns about them). Throws ConfigError when a value cannot be decrypted — naming the dotted key
 * and the `netclaw secrets set` command that re-enters it — or when the key file is unusable.
 */
export function createSecretsDecryptor(options: { keyPath: string }): (tree: Tree) => Tree {
  return (tree) => {
    try {
      const key = loadOrCreateSecretKey({ keyPath: options.keyPath, create: false });
      return decryptLeaves(tree as JsonValue, key).value as Tree;
    } catch (error) {
      if (error instanceof SecretUndecryptableError) {
        const first = error.dottedKeys[0] ?? "<Key>";
        return fail(error, {
          key: first,
          remediation: `Restore ${options.keyPath} from the backup that matches secrets.json, or re-enter the value: \`netclaw secrets set ${first} <value>\`.`,
        });
      }
      if (error instanceof KeyFileError) {
        return fail(error, {
          remediation: `Make ${options.keyPath} readable by the user running netclaw, or restore it from a backup.`,
        });
      }
      throw error;
    }
  };
}

function fail(error: Error & { code: string }, options: { remediation: string; key?: string }): never {
  throw new ConfigError(error.code, error.message, { ...options, cause: error });
}

/** `loadConfig` for a netclaw home, with secrets.json decrypted. Same errors as `loadConfig`. */
export function loadHomeConfig(options: { paths: HomePaths; env: NodeJS.ProcessEnv }): LoadedConfig {
  return loadConfig({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
    decryptSecrets: createSecretsDecryptor({ keyPath: options.paths.secretsKey }),
  });
}
