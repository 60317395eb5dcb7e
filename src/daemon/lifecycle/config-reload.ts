import { ConfigError } from "../../config/errors.ts";
import { isExposureProblem } from "../../config/exposure.ts";
import { isProcessRunning, runExposureStartupChecks } from "../../config/exposure-checks.ts";
import type { HomePaths } from "../../config/home.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import type { NetclawConfig } from "../../config/schema.ts";
import { validateConfig } from "../../config/validate.ts";

export type ReloadVerdict =
  | { ok: true; changed: boolean; daemonChanged: boolean }
  | { ok: false; message: string; remediation: string };

/**
 * Validates the configuration now on disk the way a start would (loadConfig, validateConfig,
 * then the exposure steps that need the running system) without touching the running daemon. A change that would make
 * the next start abort is refused here, so a typo in netclaw.json never stops a running agent.
 */
export function checkNewConfig(options: {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  running: NetclawConfig;
  pairedDevices: () => number;
}): ReloadVerdict {
  let config: NetclawConfig;
  try {
    config = loadHomeConfig({ paths: options.paths, env: options.env }).config;
  } catch (error) {
    if (error instanceof ConfigError)
      return { ok: false, message: error.message, remediation: error.remediation };
    throw error;
  }
  const problem = validateConfig(config, { configDir: options.paths.configDir });
  if (problem) return { ok: false, message: problem.message, remediation: problem.remediation };
  // The steps that need the running system: the tunnel process, paired devices.
  const exposure = runExposureStartupChecks({
    settings: config.Daemon,
    pairedDevices: options.pairedDevices,
    isProcessRunning,
  });
  if (isExposureProblem(exposure)) {
    // A non-local mode with no device yet is seeded at start: not a reason to refuse.
    if (exposure.code !== "remote_auth_unavailable")
      return { ok: false, message: exposure.message, remediation: exposure.remediation };
  }
  return {
    ok: true,
    changed: JSON.stringify(daemonView(config)) !== JSON.stringify(daemonView(options.running)),
    daemonChanged: JSON.stringify(config.Daemon) !== JSON.stringify(options.running.Daemon),
  };
}

/** What the daemon acts on: the host CLI's own DeviceToken (written by `netclaw pair`) is not. */
function daemonView(config: NetclawConfig): Omit<NetclawConfig, "DeviceToken"> {
  const { DeviceToken: _clientOnly, ...rest } = config;
  return rest;
}
