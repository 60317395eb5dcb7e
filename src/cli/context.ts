import { type HomePaths, homePaths, resolveHome } from "../config/home.ts";
import {
  createDaemonClient,
  type DaemonClient,
  DaemonResponseError,
  deviceTokenFor,
  type Endpoint,
  resolveEndpoint,
} from "./client.ts";

/** What every command gets: environment, home paths, and a lazily built daemon client. */
export type CliContext = {
  env: NodeJS.ProcessEnv;
  paths: HomePaths;
  endpoint(): Endpoint;
  client(options?: { timeoutMs?: number }): DaemonClient;
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
      const url = resolved().url;
      const token = deviceTokenFor({ env, paths, endpoint: url });
      return createDaemonClient({ endpoint: url, token, timeoutMs: options?.timeoutMs });
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

/** The `fix:` text for a daemon answer: a 401 means this CLI must pair (again). */
export function responseFix(context: CliContext, error: unknown): string | undefined {
  if (error instanceof DaemonResponseError && error.status === 401) {
    return `pair this device again: run \`netclaw daemon pair\` on the daemon host, then \`netclaw pair ${context.endpoint().url}\` here`;
  }
  return undefined;
}
