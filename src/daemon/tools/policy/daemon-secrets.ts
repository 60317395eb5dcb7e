import type { LoadedConfig } from "../../../config/loader.ts";
import { configSecretValues, createSecretRedactor, type SecretRedactor } from "./redaction.ts";

/**
 * The daemon's known secret values: the configuration's credentials (fixed for the life of the
 * process — a configuration change restarts the daemon) plus the values `more()` returns now (the
 * webhook routes' secrets, which reload without a restart). Returns a getter that rebuilds the
 * redactor only when that set changes, so calling it per event and per log line is cheap.
 */
export function createDaemonSecrets(options: {
  loaded: LoadedConfig;
  secretsFile: string;
  env: NodeJS.ProcessEnv;
  more?: () => readonly string[];
}): () => SecretRedactor {
  const configured = configSecretValues({
    config: options.loaded.config,
    provenance: options.loaded.provenance,
    secretsFile: options.secretsFile,
    env: options.env,
  });
  let key = "";
  let current = createSecretRedactor(configured);
  return () => {
    const more = options.more?.() ?? [];
    const nextKey = more.join("\u0000");
    if (nextKey !== key) {
      key = nextKey;
      current = createSecretRedactor([...configured, ...more]);
    }
    return current;
  };
}
