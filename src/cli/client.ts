import { type ClientConfig, endpointFromBind, readClientConfig } from "../config/client-config.ts";
import { readDaemonBind } from "../config/daemon-bind.ts";
import { ConfigError } from "../config/errors.ts";
import { isExposureProblem, isLoopbackHost, parseExposureMode } from "../config/exposure.ts";
import type { HomePaths } from "../config/home.ts";
import { loadHomeConfig } from "../config/home-config.ts";
import { NetclawError } from "../protocol/errors.ts";

export type Endpoint = {
  url: string;
  source: "NETCLAW_DAEMON_ENDPOINT" | "client/config.json" | "daemon config" | "default";
};

/**
 * Where the daemon is: `NETCLAW_DAEMON_ENDPOINT` → `client/config.json` → derived from
 * `Daemon.Host`/`Port` (config file and environment) → `http://127.0.0.1:5199`.
 */
export function resolveEndpoint(options: { env: NodeJS.ProcessEnv; paths: HomePaths }): Endpoint {
  const fromEnv = options.env.NETCLAW_DAEMON_ENDPOINT?.trim();
  if (fromEnv) return { url: trimSlash(fromEnv), source: "NETCLAW_DAEMON_ENDPOINT" };
  let client: ClientConfig = {};
  try {
    client = readClientConfig(options.paths.clientConfig);
  } catch {
    // an unreadable client config falls through to the daemon's own settings; doctor reports it
  }
  if (client.Endpoint) return { url: trimSlash(client.Endpoint), source: "client/config.json" };
  return daemonEndpoint(options);
}

/** The daemon's own bind address as a loopback URL (pairing always uses this one). */
export function daemonEndpoint(options: { env: NodeJS.ProcessEnv; paths: HomePaths }): Endpoint {
  const bind = readDaemonBind({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
  });
  const url = endpointFromBind(bind.host, bind.port);
  return { url, source: url === "http://127.0.0.1:5199" ? "default" : "daemon config" };
}

/**
 * The token the CLI sends (reference/security.md §2.5): the host's `DeviceToken` (secrets.json,
 * decrypted, or the environment), unless the endpoint is loopback AND the configured exposure
 * mode is local — then the daemon trusts the loopback caller and no token is needed. `undefined`
 * when there is none or the configuration does not load (the daemon then answers 401). Throws the
 * ConfigError of a secrets.json value the key cannot decrypt.
 */
export function deviceTokenFor(options: {
  env: NodeJS.ProcessEnv;
  paths: HomePaths;
  endpoint: string;
}): string | undefined {
  // Fast path without loading (and validating) the whole configuration: a loopback endpoint of a
  // local-mode daemon needs no token, which is every plain `netclaw status` on the daemon host.
  const bind = readDaemonBind({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
  });
  const lightMode = parseExposureMode(bind.exposureMode);
  if (!isExposureProblem(lightMode) && lightMode === "local" && isLoopbackEndpoint(options.endpoint))
    return undefined;
  let token: string | undefined;
  let local = true;
  try {
    const { config } = loadHomeConfig(options);
    token = config.DeviceToken?.trim() || undefined;
    const mode = parseExposureMode(config.Daemon.ExposureMode);
    local = !isExposureProblem(mode) && mode === "local";
  } catch (error) {
    // A token that exists but cannot be decrypted must be reported, not silently dropped.
    if (error instanceof ConfigError && error.code === "secret_undecryptable") throw error;
    return undefined;
  }
  if (local && isLoopbackEndpoint(options.endpoint)) return undefined;
  return token;
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

/** The daemon could not be reached at all (refused, timed out, DNS). */
export class DaemonUnreachableError extends NetclawError {
  readonly url: string;
  constructor(url: string, reason: string) {
    super("daemon_unreachable", reason, { status: 503, isRetryable: true });
    this.url = url;
  }
}

/** The daemon answered with an error body. */
export class DaemonResponseError extends NetclawError {}

export type DaemonClientOptions = { endpoint: string; token?: string; timeoutMs?: number };

export type DaemonRequest = {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A small typed HTTP client for the daemon API: bearer token in the header only, 5 s timeout. */
export function createDaemonClient(options: DaemonClientOptions) {
  const timeoutMs = options.timeoutMs ?? 5000;
  async function send(req: DaemonRequest): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (req.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetch(`${options.endpoint}${req.path}`, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DaemonUnreachableError(options.endpoint, describeFetchError(error));
    }
  }
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    return send({ method, path, body });
  }
  /** Sends a request and returns the parsed JSON body; a non-2xx answer throws `DaemonResponseError`. */
  async function jsonWith<T>(req: DaemonRequest): Promise<T> {
    const response = await send(req);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new DaemonResponseError(
        error?.code ?? `http_${response.status}`,
        error?.message ?? `HTTP ${response.status}`,
        {
          status: response.status,
        },
      );
    }
    return parsed as T;
  }
  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return jsonWith<T>({ method, path, body });
  }
  return {
    endpoint: options.endpoint,
    token: options.token,
    jsonWith,
    request,
    get: <T>(path: string) => json<T>("GET", path),
    post: <T>(path: string, body?: unknown) => json<T>("POST", path, body),
    delete: <T>(path: string) => json<T>("DELETE", path),
  };
}

export type DaemonClient = ReturnType<typeof createDaemonClient>;

function describeFetchError(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.name === "TimeoutError") return "timed out";
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND") return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  return err.cause?.message ?? err.message ?? String(error);
}
