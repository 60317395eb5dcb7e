import { join } from "node:path";
import { ConfigError } from "./errors.ts";
import { isExposureProblem, reverseProxyTopologyProblem, validateExposureConfig } from "./exposure.ts";
import { loadHardDenyOverrides } from "./hard-deny-overrides.ts";
import type { HomePaths } from "./home.ts";
import { loadHomeConfig } from "./home-config.ts";
import type { LoadedConfig } from "./loader.ts";
import { resolveModels } from "./models.ts";
import type { NetclawConfig } from "./schema.ts";
import { parseUpdateChannel } from "./update-feed.ts";

/** A configuration the daemon refuses: its exact message, the key when one is to blame, the fix. */
export type ConfigProblem = { code: string; key?: string; message: string; remediation: string };

/**
 * The one validation behind `config validate`, `config set` (and every command that edits
 * netclaw.json), `doctor`, the daemon's start and its reload, on top of what `loadConfig`
 * already refuses (JSON, schema, reserved and case-duplicate keys, depth). In the daemon's
 * start order: the update channel; the exposure settings that need no running system (mode,
 * trusted proxies, local and reverse-proxy topology); providers and model roles (a role's
 * definition and provider exist, a provider has its Type, a non-blank API key where its type
 * needs one, an Endpoint); config/hard-deny-overrides.json. Returns the first problem, with the
 * message the daemon aborts with, or undefined. Never throws for a bad configuration.
 */
export function validateConfig(
  config: NetclawConfig,
  options: { configDir: string },
): ConfigProblem | undefined {
  const channel = parseUpdateChannel(config.Daemon.UpdateChannel);
  if (typeof channel === "object")
    return { code: "update_channel_unknown", key: "Daemon.UpdateChannel", ...channel };

  const exposure = validateExposureConfig(config.Daemon);
  if (isExposureProblem(exposure)) return exposure;
  if (exposure.mode === "reverse-proxy") {
    const topology = reverseProxyTopologyProblem(config.Daemon);
    if (topology) return topology;
  }

  const models = resolveModels(config);
  if (models.state === "invalid") {
    return {
      code: "model_config_invalid",
      key: models.key,
      message: models.message,
      remediation: models.remediation,
    };
  }

  try {
    loadHardDenyOverrides(join(options.configDir, "hard-deny-overrides.json"));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { code: error.code, message: error.message, remediation: error.remediation };
  }
  return undefined;
}

/** The ConfigError form of a problem, for callers that report through the error path. */
export function problemError(problem: ConfigProblem): ConfigError {
  return new ConfigError(problem.code, problem.message, {
    remediation: problem.remediation,
    ...(problem.key ? { key: problem.key } : {}),
  });
}

/**
 * `loadHomeConfig` followed by `validateConfig`: the configuration a daemon would start with.
 * Throws ConfigError for anything either refuses (the daemon's message and remediation).
 */
export function loadValidConfig(options: { paths: HomePaths; env: NodeJS.ProcessEnv }): LoadedConfig {
  const loaded = loadHomeConfig(options);
  const problem = validateConfig(loaded.config, { configDir: options.paths.configDir });
  if (problem) throw problemError(problem);
  return loaded;
}
