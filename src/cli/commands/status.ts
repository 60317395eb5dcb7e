import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { type HealthStatus, healthStatusSchema } from "../../protocol/health.ts";
import { DaemonUnreachableError } from "../client.ts";
import { type CliContext, responseFix, unreachableFix } from "../context.ts";
import { formatCheck, formatDuration, print } from "../output.ts";

/** `netclaw status`: exit 0 healthy, 2 degraded, 1 unreachable or refused. */
export async function statusCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const endpoint = context.endpoint();
  let status: HealthStatus;
  try {
    status = healthStatusSchema.parse(await context.client().get("/api/health/status"));
  } catch (error) {
    if (error instanceof ConfigError) {
      if (options.json)
        print(JSON.stringify({ overall: "unreachable", endpoint: endpoint.url, message: error.message }));
      else
        print(
          formatCheck({
            name: "status",
            severity: "fail",
            message: error.message,
            remediation: error.remediation,
          }),
        );
      return 1;
    }
    if (error instanceof DaemonUnreachableError) {
      // A daemon that is down because of its configuration: say that, not just "unreachable".
      try {
        loadHomeConfig({ paths: context.paths, env: context.env });
      } catch (configError) {
        if (configError instanceof ConfigError) {
          if (options.json)
            print(
              JSON.stringify({
                overall: "unreachable",
                endpoint: endpoint.url,
                message: configError.message,
              }),
            );
          else
            print(
              formatCheck({
                name: "status",
                severity: "fail",
                message: configError.message,
                remediation: configError.remediation,
              }),
            );
          return 1;
        }
      }
    }
    const reason = error instanceof DaemonUnreachableError ? error.message : (error as Error).message;
    if (options.json) {
      print(JSON.stringify({ overall: "unreachable", endpoint: endpoint.url, message: reason }));
    } else {
      print(
        formatCheck({
          name: "status",
          severity: "fail",
          message: `unable to reach daemon at ${endpoint.url}: ${reason}`,
          remediation:
            error instanceof DaemonUnreachableError
              ? unreachableFix(context)
              : (responseFix(context, error) ?? "see `netclaw doctor`"),
        }),
      );
    }
    return 1;
  }
  if (options.json) {
    print(JSON.stringify({ ...status, endpoint: endpoint.url }, null, 2));
  } else {
    printStatus(status, endpoint.url);
  }
  return status.overall === "healthy" ? 0 : 2;
}

function printStatus(status: HealthStatus, endpoint: string): void {
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
  ];
  print(`netclaw status: ${status.overall}`);
  for (const [key, value] of rows) print(`  ${key.padEnd(12)}${value}`);
  for (const problem of status.problems) print(`  ! ${problem}`);
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
