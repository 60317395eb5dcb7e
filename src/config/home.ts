import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { ConfigError } from "./errors.ts";
import { ensureHomeId } from "./home-id.ts";

/** Every path netclaw uses inside its home directory (ARCHITECTURE.md §4). */
export type HomePaths = ReturnType<typeof homePaths>;

/** `$NETCLAW_HOME`, else `~/.netclaw`, always absolute. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.NETCLAW_HOME?.trim();
  return resolve(fromEnv ? fromEnv : join(homedir(), ".netclaw"));
}

export function homePaths(root: string) {
  const config = join(root, "config");
  const keys = join(root, "keys");
  const sessions = join(root, "sessions");
  return {
    root,
    clientDir: join(root, "client"),
    clientConfig: join(root, "client", "config.json"),
    configDir: config,
    configFile: join(config, "netclaw.json"),
    secretsFile: join(config, "secrets.json"),
    devicesFile: join(config, "devices.json"),
    approvalsFile: join(config, "tool-approvals.json"),
    bootstrapStateFile: join(config, "bootstrap-state.json"),
    homeIdFile: join(config, "home-id"),
    webhooksDir: join(config, "webhooks"),
    identityDir: join(root, "identity"),
    sessionsDir: sessions,
    database: join(sessions, "netclaw.db"),
    keysDir: keys,
    secretsKey: join(keys, "secrets.key"),
    localControlKey: join(keys, "local-control.key"),
    workspacesDir: join(root, "workspaces"),
    environmentDir: join(root, "environment"),
    schedulesDir: join(root, "schedules"),
    /** Archived setups and pre-restore/doctor copies: they hold secrets.json and keys/ copies. */
    backupsDir: join(root, "backups"),
    logsDir: join(root, "logs"),
    pidFile: join(root, "netclaw.pid"),
    lockFile: join(root, "netclaw.lock"),
  };
}

const DIRECTORIES = [
  "clientDir",
  "configDir",
  "identityDir",
  "sessionsDir",
  "keysDir",
  "workspacesDir",
  "environmentDir",
  "schedulesDir",
  "logsDir",
] as const;

/** Files that hold credentials: created empty and owner-only so nothing is ever written wider. */
const PRIVATE_FILES = [
  ["secretsFile", "{}\n"],
  ["devicesFile", "[]\n"],
] as const;

/**
 * Creates the home layout if missing (first start) and tightens what holds secrets: `keys/`
 * 0700, `config/secrets.json` and `config/devices.json` 0600, and gives the home its id
 * (`config/home-id`). Never deletes or rewrites a file
 * that exists. Throws ConfigError when the home cannot be written — the Docker bind-mount case,
 * whose fix is a chown to the daemon's user.
 */
export function ensureHome(paths: HomePaths): void {
  try {
    mkdirSync(paths.root, { recursive: true, mode: 0o700 });
    accessSync(paths.root, constants.W_OK | constants.X_OK);
    for (const key of DIRECTORIES) mkdirSync(paths[key], { recursive: true, mode: 0o755 });
    chmodSync(paths.keysDir, 0o700);
    for (const [key, initial] of PRIVATE_FILES) {
      const file = paths[key];
      if (!existsSync(file)) writeFileAtomic(file, initial, { mode: 0o600, forceMode: true });
      else if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    }
    ensureHomeId(paths.homeIdFile);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw homeNotWritable(paths.root, error);
  }
}

export function homeNotWritable(root: string, cause: unknown): ConfigError {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  const owner = uid === undefined ? "the user running netclaw" : `${uid}:${gid}`;
  return new ConfigError(
    "home_not_writable",
    `The netclaw home ${root} is not writable by this user (uid ${uid ?? "?"}): ${(cause as Error).message}.`,
    {
      remediation: `Give it to the user running netclaw: \`chown -R ${owner} ${root}\` (for a Docker bind mount, run \`chown -R 1654:1654 <host-dir>\` on the host), or set NETCLAW_HOME to a writable directory.`,
      cause,
    },
  );
}
