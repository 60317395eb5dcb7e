import { configFingerprint } from "../../config/config-fingerprint.ts";
import { ConfigError } from "../../config/errors.ts";
import { isNetclawd, readPidFile } from "../../config/pid-file.ts";
import { loadValidConfig } from "../../config/validate.ts";
import { type HealthStatus, healthStatusSchema } from "../../protocol/health.ts";
import { createDaemonClient, DaemonUnreachableError, WrongDaemonError } from "../client.ts";
import { type CliContext, responseFix, unreachableFix, wrongDaemonFix } from "../context.ts";
import { type Endpoint, homeIdOf } from "../endpoint.ts";
import { formatCheck, formatDuration, print } from "../output.ts";

/** How the configuration on disk compares with the one the daemon runs (this home's daemon only). */
export type ConfigOnDisk =
  | { state: "same" }
  | { state: "differs"; message: string }
  | { state: "invalid"; message: string; remediation: string };

const DIFFERS = "config on disk differs from the running daemon's (restart or wait for reload)";

/**
 * `netclaw status`: exit 0 healthy, 2 degraded (also when the configuration on disk would not
 * load, so the next start would fail), 1 unreachable, refused, or not this home's daemon. When
 * the configuration does not load, the CLI guesses no endpoint: it asks this home's own running
 * daemon (pid file), or fails with the configuration error.
 */
export async function statusCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const fail = (url: string | undefined, message: string, remediation?: string): number => {
    if (options.json) print(JSON.stringify({ overall: "unreachable", endpoint: url, message }));
    else print(formatCheck({ name: "status", severity: "fail", message, remediation }));
    return 1;
  };
  let endpoint: Endpoint;
  let client: ReturnType<CliContext["client"]>;
  try {
    endpoint = context.endpoint();
    client = context.client({ endpoint });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const own = ownRunningDaemon(context);
    if (!own) return fail(undefined, error.message, error.remediation);
    endpoint = own;
    client = createDaemonClient({ endpoint: own.url, expectHome: own.expectHome });
  }
  let status: HealthStatus;
  try {
    status = healthStatusSchema.parse(await client.get("/api/health/status"));
  } catch (error) {
    if (error instanceof ConfigError) return fail(endpoint.url, error.message, error.remediation);
    if (error instanceof WrongDaemonError)
      return fail(endpoint.url, error.message, wrongDaemonFix(context, error.url));
    if (error instanceof DaemonUnreachableError) {
      // A daemon that is down because of its configuration: say that, not just "unreachable".
      const problem = configProblem(context);
      if (problem) return fail(endpoint.url, problem.message, problem.remediation);
    }
    const reason = (error as Error).message;
    return fail(
      endpoint.url,
      `unable to reach daemon at ${endpoint.url}: ${reason}`,
      error instanceof DaemonUnreachableError
        ? unreachableFix(context)
        : (responseFix(context, error) ?? "see `netclaw doctor`"),
    );
  }
  const disk = configOnDisk(context, status);
  const shown: HealthStatus =
    disk?.state === "invalid"
      ? {
          ...status,
          overall: "degraded",
          problems: [...status.problems, `${disk.message} Fix: ${disk.remediation}`],
        }
      : status;
  if (options.json) {
    print(
      JSON.stringify({ ...shown, endpoint: endpoint.url, ...(disk ? { configOnDisk: disk } : {}) }, null, 2),
    );
  } else {
    printStatus(shown, endpoint.url, disk);
  }
  return shown.overall === "healthy" ? 0 : 2;
}

/** This home's netclawd from its pid file (alive, and a netclawd), at the endpoint it recorded. */
function ownRunningDaemon(context: CliContext): Endpoint | undefined {
  const info = readPidFile(context.paths.pidFile);
  if (!info?.endpoint || !isNetclawd(info.pid)) return undefined;
  return { url: info.endpoint, source: "pid file", expectHome: homeIdOf(context.paths) };
}

function configProblem(context: CliContext): ConfigError | undefined {
  try {
    // The daemon's own checks, cross-references included: a restart runs the same.
    loadValidConfig({ paths: context.paths, env: context.env });
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/**
 * Compares the disk with the running daemon — only when that daemon serves this home: whether
 * the configuration would load now (a restart would fail if not), and whether its files still
 * have the digest the daemon loaded (a change not applied yet).
 */
function configOnDisk(context: CliContext, status: HealthStatus): ConfigOnDisk | undefined {
  if (!status.homeId || status.homeId !== homeIdOf(context.paths)) return undefined;
  const problem = configProblem(context);
  if (problem)
    return {
      state: "invalid",
      message: `config on disk would not load: ${problem.message}`,
      remediation: problem.remediation,
    };
  if (status.configFingerprint && status.configFingerprint !== configFingerprint(context.paths.configDir))
    return { state: "differs", message: DIFFERS };
  return { state: "same" };
}

function printStatus(status: HealthStatus, endpoint: string, disk: ConfigOnDisk | undefined): void {
  const rows: [string, string][] = [
    ["version", `${status.build.version} (commit ${status.build.commit})`],
    [
      "daemon",
      `pid ${status.process.pid}, up ${formatDuration(status.process.uptimeSeconds)}, ${Math.round(status.process.rssBytes / 1048576)} MB RSS, Node ${status.process.nodeVersion}`,
    ],
    ["endpoint", endpoint],
    [
      "exposure",
      `${status.exposure.mode}, bound ${status.exposure.host}:${status.exposure.port} — ${status.exposure.exposes}`,
    ],
    ["model", describeModel(status.model)],
    [
      "persistence",
      `sqlite schema v${status.persistence.schemaVersion} at ${status.persistence.path}${status.persistence.healthy ? "" : " (NOT HEALTHY)"}`,
    ],
    ["update", describeUpdate(status.update)],
    ...describeSubsystems(status),
    ["home", status.home],
    ...(disk ? [["config", describeDisk(disk)] as [string, string]] : []),
  ];
  print(`netclaw status: ${status.overall}`);
  for (const [key, value] of rows) print(`  ${key.padEnd(12)}${value}`);
  for (const problem of status.problems) print(`  ! ${problem}`);
}

function describeDisk(disk: ConfigOnDisk): string {
  if (disk.state === "same") return "as on disk";
  if (disk.state === "differs")
    return "on disk differs from the running daemon's (restart or wait for reload)";
  return "on disk would not load (see below)";
}

function describeModel(model: HealthStatus["model"]): string {
  // the reason and the fix are printed once, as a problem line below
  if (model.state === "none") return "(none — No-Op chat client active)";
  const window = model.contextWindow ? `, context ${model.contextWindow}` : "";
  return `${model.modelId} via ${model.provider} (${model.providerType}${window})`;
}

function describeUpdate(update: HealthStatus["update"]): string {
  const channel = `channel ${update.channel}${update.selfUpdateDisabled ? ", self-update disabled" : ""}`;
  if (update.state === "update-available")
    return `update available: ${update.currentVersion} → ${update.latestVersion} (${channel})`;
  if (update.state === "up-to-date") return `up to date (${update.currentVersion}, ${channel})`;
  return `unknown (${update.message ?? "not checked yet"}; ${channel})`;
}

function describeSubsystems(status: HealthStatus): [string, string][] {
  const rows: [string, string][] = [];
  const r = status.reminders;
  if (r) {
    const extra = [r.running > 0 ? `${r.running} running` : "", r.queued > 0 ? `${r.queued} queued` : ""];
    if (r.problems > 0) extra.push(`${r.problems} unreadable files`);
    rows.push([
      "reminders",
      `${r.total} (${r.enabled} enabled), next run ${r.nextRunAt ?? "none"}${extra
        .filter(Boolean)
        .map((e) => `, ${e}`)
        .join("")}`,
    ]);
  }
  const m = status.memory;
  if (m)
    rows.push([
      "memory",
      m.enabled
        ? `${m.items} items${m.pendingProposals > 0 ? `, ${m.pendingProposals} proposals pending` : ""}`
        : "disabled (Memory.Enabled)",
    ]);
  if (status.mcp && status.mcp.length > 0) {
    const servers = status.mcp.map(
      (s) =>
        `${s.name} ${s.state} (${s.tools} tools${s.granted !== undefined && s.tools > 0 ? `, ${s.granted} granted` : ""}${s.error && s.state !== "connected" ? `: ${s.error}` : ""})`,
    );
    rows.push(["mcp", servers.join("; ")]);
  }
  return rows;
}
