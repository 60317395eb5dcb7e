import { endpointFromBind, readClientConfig } from "../config/client-config.ts";
import { readDaemonBind } from "../config/daemon-bind.ts";
import { isExposureProblem, isLoopbackHost, parseExposureMode } from "../config/exposure.ts";
import type { HomePaths } from "../config/home.ts";
import { loadHomeConfig } from "../config/home-config.ts";
import { readHomeId } from "../config/home-id.ts";
import { loadConfig } from "../config/loader.ts";
import { NO_HOME_ID } from "../protocol/daemon-identity.ts";

export type Endpoint = {
  url: string;
  source: "NETCLAW_DAEMON_ENDPOINT" | "client/config.json" | "daemon config" | "default" | "pid file";
  /**
   * The home id the daemon there must answer to (protocol/daemon-identity.ts). Always set for an
   * endpoint derived from this home; for an endpoint the user chose it is the id `netclaw pair`
   * recorded, or undefined when none is known (then nothing can be checked).
   */
  expectHome?: string;
};

type Where = { env: NodeJS.ProcessEnv; paths: HomePaths };

/**
 * Where the daemon is: `NETCLAW_DAEMON_ENDPOINT` → `client/config.json` → derived from
 * `Daemon.Host`/`Port` (config file and environment) → `http://127.0.0.1:5199`. Throws the
 * ConfigError of a configuration that does not load (netclaw.json, secrets.json, NETCLAW_*
 * variables, client/config.json) whatever the source: the CLI never guesses a daemon from
 * defaults it fell back to, and never acts on settings the daemon would refuse.
 */
export function resolveEndpoint(options: Where): Endpoint {
  const bind = daemonEndpoint(options); // validates the configuration first
  const client = readClientConfig(options.paths.clientConfig);
  const fromEnv = options.env.NETCLAW_DAEMON_ENDPOINT?.trim();
  if (fromEnv) {
    const url = trimSlash(fromEnv);
    const paired = client.Endpoint && trimSlash(client.Endpoint) === url ? client.HomeId : undefined;
    return { url, source: "NETCLAW_DAEMON_ENDPOINT", ...(paired ? { expectHome: paired } : {}) };
  }
  if (client.Endpoint) {
    const url = trimSlash(client.Endpoint);
    return { url, source: "client/config.json", ...(client.HomeId ? { expectHome: client.HomeId } : {}) };
  }
  return bind;
}

/**
 * This home's own daemon, from its Host/Port (pairing always uses this one), expected to answer
 * to this home's id. Throws ConfigError when the configuration does not load.
 */
export function daemonEndpoint(options: Where): Endpoint {
  // Validation without decrypting secrets.json: finding the daemon must not need the secrets key.
  const { config } = loadConfig({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
  });
  const url = endpointFromBind(config.Daemon.Host, config.Daemon.Port);
  return {
    url,
    source: url === "http://127.0.0.1:5199" ? "default" : "daemon config",
    expectHome: homeIdOf(options.paths),
  };
}

/** This home's id, or the value that matches no daemon when the home has none yet. */
export function homeIdOf(paths: HomePaths): string {
  return readHomeId(paths.homeIdFile) ?? NO_HOME_ID;
}

/**
 * The token the CLI sends (reference/security.md §2.5): the host's `DeviceToken` (secrets.json,
 * decrypted, or the environment), unless the endpoint is loopback AND the configured exposure
 * mode is local — then the daemon trusts the loopback caller and no token is needed. `undefined`
 * when there is none. Throws the ConfigError of a configuration that does not load, including a
 * secrets.json value the key cannot decrypt (a token that exists must not be silently dropped).
 */
export function deviceTokenFor(options: Where & { endpoint: string }): string | undefined {
  // Fast path without decrypting secrets.json: a loopback endpoint of a local-mode daemon needs
  // no token, which is every plain `netclaw status` on the daemon host.
  const bind = readDaemonBind({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
  });
  const lightMode = parseExposureMode(bind.exposureMode);
  if (!isExposureProblem(lightMode) && lightMode === "local" && isLoopbackEndpoint(options.endpoint))
    return undefined;
  const { config } = loadHomeConfig(options);
  const mode = parseExposureMode(config.Daemon.ExposureMode);
  const local = !isExposureProblem(mode) && mode === "local";
  if (local && isLoopbackEndpoint(options.endpoint)) return undefined;
  return config.DeviceToken?.trim() || undefined;
}

/** Whether the URL's host is loopback (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopbackEndpoint(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
