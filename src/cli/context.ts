import { type HomePaths, homePaths, resolveHome } from "../config/home.ts";
import { createDaemonClient, type DaemonClient, DaemonResponseError, WrongDaemonError } from "./client.ts";
import { deviceTokenFor, type Endpoint, resolveEndpoint } from "./endpoint.ts";

/**
 * What every command gets: environment, home paths, and a lazily built daemon client. `endpoint()`
 * and `client()` throw the ConfigError of a configuration that does not load; the client sends
 * and checks the home id of the daemon it expects (client.ts `checkIdentity`).
 */
export type CliContext = {
  env: NodeJS.ProcessEnv;
  paths: HomePaths;
  endpoint(): Endpoint;
  client(options?: { timeoutMs?: number; endpoint?: Endpoint }): DaemonClient;
  inContainer: boolean;
};

export function createContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const paths = homePaths(resolveHome(env));
  let endpoint: Endpoint | undefined;
  const resolved = () => {
    endpoint ??= resolveEndpoint({ env, paths });
    return endpoint;
  };
  return {
    env,
    paths,
    endpoint: resolved,
    client: (options) => {
      const target = options?.endpoint ?? resolved();
      const token = deviceTokenFor({ env, paths, endpoint: target.url });
      return createDaemonClient({
        endpoint: target.url,
        token,
        timeoutMs: options?.timeoutMs,
        expectHome: target.expectHome,
      });
    },
    inContainer: Boolean(env.NETCLAW_CONTAINER_SUPERVISOR?.trim()),
  };
}

/** The `fix:` text for an unreachable daemon, which differs inside a supervised container. */
export function unreachableFix(context: CliContext): string {
  if (context.inContainer) {
    return "the container supervisor restarts netclawd automatically; check `docker logs <container>` for its `Daemon startup aborted:` line";
  }
  const source = context.endpoint().source;
  const hint = source === "default" || source === "daemon config" ? "" : ` (endpoint from ${source})`;
  return `run \`netclaw daemon start\`, or check that netclawd is running${hint}`;
}

/** The `fix:` text when another home's daemon (or no netclawd) answered at the endpoint. */
export function wrongDaemonFix(context: CliContext, url: string): string {
  let source: Endpoint["source"] = "daemon config";
  try {
    source = context.endpoint().source;
  } catch {
    // a configuration that does not load: the endpoint came from the pid file, this home's own
  }
  if (source === "NETCLAW_DAEMON_ENDPOINT" || source === "client/config.json") {
    return `${url} is not the daemon this device was paired with (${context.paths.clientConfig}): pair again with \`netclaw pair <endpoint>\`, or unset NETCLAW_DAEMON_ENDPOINT`;
  }
  return `start this home's daemon with \`netclaw daemon start\` (NETCLAW_HOME=${context.paths.root}; if another daemon holds ${url}, give this home a free Daemon.Port), or set NETCLAW_DAEMON_ENDPOINT to use that daemon deliberately`;
}

/** The `fix:` text for a daemon answer: a 401 means this CLI must pair (again). */
export function responseFix(context: CliContext, error: unknown): string | undefined {
  if (error instanceof WrongDaemonError) return wrongDaemonFix(context, error.url);
  if (error instanceof DaemonResponseError && error.status === 401) {
    return `pair this device again: run \`netclaw daemon pair\` on the daemon host, then \`netclaw pair ${context.endpoint().url}\` here`;
  }
  return undefined;
}
