import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import type { LoadedConfig } from "../../config/loader.ts";
import { resolveModels } from "../../config/models.ts";
import { notSupportedYet } from "../../config/unsupported-keys.ts";
import { checkForUpdate, parseUpdateChannel } from "../../config/update-feed.ts";
import { problemError, validateConfig } from "../../config/validate.ts";
import { buildInfo } from "../../protocol/build-info.ts";
import { type HealthStatus, healthStatusSchema } from "../../protocol/health.ts";
import { DaemonUnreachableError } from "../client.ts";
import { type CliContext, responseFix, unreachableFix } from "../context.ts";
import type { CheckLine } from "../output.ts";

/**
 * Loads the configuration once for all checks and runs the daemon's validation on it; a failure
 * of either is the first check's result. A configuration that loads but fails validation is
 * still handed to the other checks (`loaded` and `error` both set), so they can say more.
 */
export function loadForDoctor(context: CliContext): { loaded?: LoadedConfig; error?: ConfigError } {
  let loaded: LoadedConfig;
  try {
    loaded = loadHomeConfig({ env: context.env, paths: context.paths });
  } catch (error) {
    if (error instanceof ConfigError) return { error };
    throw error;
  }
  const problem = validateConfig(loaded.config, { configDir: context.paths.configDir });
  return problem ? { loaded, error: problemError(problem) } : { loaded };
}

export function configSchemaCheck(context: CliContext, state: ReturnType<typeof loadForDoctor>): CheckLine {
  const name = "Config Schema";
  if (state.error)
    return { name, severity: "fail", message: state.error.message, remediation: state.error.remediation };
  const loaded = state.loaded!;
  if (!loaded.configFileExists) {
    const fromEnv = Object.keys(context.env).some((key) => /^NETCLAW_.+__/i.test(key));
    return fromEnv
      ? {
          name,
          severity: "pass",
          message: `no ${context.paths.configFile}; configured by NETCLAW_* environment variables`,
        }
      : {
          name,
          severity: "warn",
          message: `${context.paths.configFile} does not exist yet`,
          remediation: "run `netclaw init`, or configure with NETCLAW_<Section>__<Key> environment variables",
        };
  }
  if (loaded.fileTree.configVersion === undefined) {
    return {
      name,
      severity: "warn",
      message: `${context.paths.configFile} has no configVersion`,
      remediation: 'add "configVersion": 1 at the top level of netclaw.json',
    };
  }
  return { name, severity: "pass", message: `${context.paths.configFile} is valid (configVersion 1)` };
}

/**
 * The loader's warnings: settings not supported yet, unknown keys (with a did-you-mean) and
 * credentials in plain text in netclaw.json.
 */
export function configWarningChecks(state: ReturnType<typeof loadForDoctor>): CheckLine[] {
  return (state.loaded?.warnings ?? []).map((warning) => {
    if (warning.code === "unsupported_key") {
      return {
        name: "Unsupported Key",
        severity: "warn",
        message: `${notSupportedYet(warning.key)}: set in ${warning.source}; nothing in this version reads it`,
        remediation: warning.remediation,
      };
    }
    return warning.code === "unknown_key"
      ? {
          name: "Unknown Key",
          severity: "warn",
          message: `'${warning.key}' in ${warning.source} is not a netclaw setting and is ignored`,
          remediation: warning.remediation,
        }
      : {
          name: "Plaintext Secret",
          severity: "warn",
          message: warning.message,
          remediation: warning.remediation,
        };
  });
}

export function chatClientCheck(state: ReturnType<typeof loadForDoctor>): CheckLine {
  const name = "Chat Client";
  const config = state.loaded?.config;
  if (!config) return { name, severity: "info", message: "skipped: the configuration does not load" };
  const models = resolveModels(config);
  if (models.state === "valid") {
    const main = models.roles.Main;
    const describe = (role: "Fallback" | "Compaction") => {
      const model = models.roles[role];
      const same = model.provider === main.provider && model.modelId === main.modelId;
      return same ? "" : `; ${role} ${model.modelId} via ${model.provider} (${model.providerType})`;
    };
    return {
      name,
      severity: "pass",
      message: `Main model ${main.modelId} via ${main.provider} (${main.providerType})${describe("Fallback")}${describe("Compaction")}`,
    };
  }
  if (models.state === "none") {
    return {
      name,
      severity: "warn",
      message: `No-Op chat client active: ${models.reason}`,
      remediation: "run `netclaw init`",
    };
  }
  return { name, severity: "fail", message: models.message, remediation: models.remediation };
}

export function homePermissionChecks(context: CliContext): CheckLine[] {
  const { paths } = context;
  const checks: CheckLine[] = [];
  if (!existsSync(paths.root)) {
    return [
      {
        name: "Home",
        severity: "warn",
        message: `${paths.root} does not exist yet`,
        remediation: "run `netclaw init` or start the daemon once",
      },
    ];
  }
  try {
    accessSync(paths.root, constants.W_OK | constants.X_OK);
    const probe = [paths.configDir, paths.sessionsDir, paths.logsDir].filter((dir) => existsSync(dir));
    for (const dir of probe) accessSync(dir, constants.W_OK);
    checks.push({
      name: "Data Directory",
      severity: "pass",
      message: `${paths.root} is writable by uid ${process.getuid?.()}`,
    });
  } catch {
    const uid = process.getuid?.();
    const owner = statSync(paths.root).uid;
    checks.push({
      name: "Data Directory",
      severity: "fail",
      message: `${paths.root} is not writable by uid ${uid} (owned by uid ${owner})`,
      remediation: `chown -R ${uid}:${process.getgid?.()} ${paths.root} — for a Docker bind mount run \`chown -R 1654:1654 <host-dir>\` on the host`,
    });
  }
  const loose: string[] = [];
  for (const [path, mode] of [
    [paths.keysDir, 0o700],
    [paths.secretsFile, 0o600],
    [paths.devicesFile, 0o600],
  ] as const) {
    if (existsSync(path) && (statSync(path).mode & 0o777 & ~mode) !== 0)
      loose.push(`${path} (${(statSync(path).mode & 0o777).toString(8)})`);
  }
  checks.push(
    loose.length === 0
      ? {
          name: "Home Permissions",
          severity: "pass",
          message: "keys/, secrets.json and devices.json are owner-only",
        }
      : {
          name: "Home Permissions",
          severity: "warn",
          message: `readable by others: ${loose.join(", ")}`,
          remediation: `chmod 700 ${paths.keysDir} && chmod 600 ${paths.secretsFile} ${paths.devicesFile}`,
        },
  );
  return checks;
}

export function crashLogCheck(context: CliContext, now = Date.now()): CheckLine {
  const name = "Crash Logs";
  let recent: string[] = [];
  try {
    recent = readdirSync(context.paths.logsDir)
      .filter((file) => file.startsWith("crash-"))
      .filter((file) => now - statSync(join(context.paths.logsDir, file)).mtimeMs < 86_400_000);
  } catch {
    // no logs directory yet
  }
  return recent.length === 0
    ? { name, severity: "pass", message: "no daemon crash in the last 24 h" }
    : {
        name,
        severity: "warn",
        message: `${recent.length} crash log(s) in the last 24 h, newest ${recent.sort().pop()}`,
        remediation: `read it in ${context.paths.logsDir}`,
      };
}

export function nodeVersionCheck(): CheckLine {
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 24
    ? { name: "Node.js", severity: "pass", message: `Node.js ${process.versions.node}` }
    : {
        name: "Node.js",
        severity: "fail",
        message: `Node.js ${process.versions.node} is too old`,
        remediation: "install Node.js 24 LTS",
      };
}

/** Asks the daemon for its status once; doctor's daemon and update checks share the answer. */
export async function fetchStatus(context: CliContext): Promise<HealthStatus | Error> {
  try {
    return healthStatusSchema.parse(await context.client({ timeoutMs: 3000 }).get("/api/health/status"));
  } catch (error) {
    return error as Error;
  }
}

export async function updateCheck(
  state: ReturnType<typeof loadForDoctor>,
  status: HealthStatus | Error,
): Promise<CheckLine> {
  const name = "Update";
  const config = state.loaded?.config;
  let update:
    | { state: string; currentVersion: string; latestVersion: string | null; message?: string }
    | undefined;
  if (!(status instanceof Error) && status.update.state !== "unknown") update = status.update;
  else if (config) {
    const channel = parseUpdateChannel(config.Daemon.UpdateChannel);
    if (typeof channel === "object") {
      return { name, severity: "fail", message: channel.message, remediation: channel.remediation };
    }
    update = await checkForUpdate({
      feedUrl: config.Daemon.UpdateFeedUrl,
      channel,
      currentVersion: buildInfo().version,
      timeoutMs: 5000,
    });
  }
  if (update?.state === "update-available") {
    const disabled = config?.Daemon.DisableSelfUpdate ?? false;
    return {
      name,
      severity: "warn",
      message: `Update available: v${update.currentVersion} → v${update.latestVersion}`,
      remediation: disabled ? "Pull a newer container image to upgrade." : "Run `netclaw update` to upgrade.",
    };
  }
  if (update?.state === "up-to-date")
    return { name, severity: "pass", message: `up to date (v${update.currentVersion})` };
  if (!config) {
    return { name, severity: "info", message: "not checked: the configuration did not load (see above)" };
  }
  // A failed check is a warning, never a failure: the daemon keeps working without it, but an
  // unchecked install may be missing fixes, so it must not read as PASS.
  return {
    name,
    severity: "warn",
    message: `could not check for updates: ${update?.message ?? "no answer"}`,
    remediation: `check that ${config.Daemon.UpdateFeedUrl} (Daemon.UpdateFeedUrl) is reachable from this host, or point Daemon.UpdateFeedUrl at a reachable npm registry`,
  };
}

export async function daemonCheck(context: CliContext, fetched: HealthStatus | Error): Promise<CheckLine> {
  const name = "Daemon";
  const endpoint = context.endpoint().url;
  try {
    if (fetched instanceof Error) throw fetched;
    const status = fetched;
    if (status.overall === "healthy") {
      return {
        name,
        severity: "pass",
        message: `healthy at ${endpoint} (pid ${status.process.pid}, ${status.build.version})`,
      };
    }
    return {
      name,
      severity: "warn",
      message: `degraded at ${endpoint}: ${status.problems.join("; ")}`,
      remediation: "run `netclaw status` for details",
    };
  } catch (error) {
    const reason = (error as Error).message;
    return {
      name,
      severity: "fail",
      message: `unable to reach daemon at ${endpoint}: ${reason}`,
      remediation:
        error instanceof DaemonUnreachableError
          ? unreachableFix(context)
          : (responseFix(context, error) ?? "run `netclaw status` for details"),
    };
  }
}
