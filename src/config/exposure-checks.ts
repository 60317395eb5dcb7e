import { readdirSync, readFileSync } from "node:fs";
import {
  type ExposureMode,
  type ExposureProblem,
  type ExposureSettings,
  isExposureProblem,
  reverseProxyTopologyProblem,
  validateExposureConfig,
} from "./exposure.ts";

export type StartupCheckOptions = {
  settings: ExposureSettings & { SkipTunnelProcessCheck: boolean };
  /** Number of paired devices (the remote-auth path for non-local modes). */
  pairedDevices: () => number;
  /** Whether a process with this exact name runs on the host. */
  isProcessRunning?: (name: string) => boolean;
  /** Step 4, bootstrap seeding (non-local modes only); runs before paired devices are counted. */
  seedBootstrap?: (mode: ExposureMode) => void;
  /** Whether the device-bearer scheme is wired (step 6); the daemon always wires it. */
  deviceBearerRegistered?: boolean;
};

const TUNNEL_PROCESS: Partial<Record<ExposureMode, string>> = {
  "tailscale-serve": "tailscaled",
  "tailscale-funnel": "tailscaled",
  "cloudflare-tunnel": "cloudflared",
};

/**
 * The daemon's exposure checks, in the order of reference/security.md §1: mode, trusted proxies,
 * local topology (local stops there), tunnel process probe, bootstrap seeding (`seedBootstrap`,
 * which may throw), device-bearer wiring, remote-auth availability, reverse-proxy topology. Returns the mode, or the first problem.
 */
export function runExposureStartupChecks(
  options: StartupCheckOptions,
): { mode: ExposureMode } | ExposureProblem {
  const base = validateExposureConfig(options.settings);
  if (isExposureProblem(base) || base.mode === "local") return base;
  const mode = base.mode;

  const processName = TUNNEL_PROCESS[mode];
  if (processName && !options.settings.SkipTunnelProcessCheck) {
    const running = (options.isProcessRunning ?? isProcessRunning)(processName);
    if (!running) {
      return {
        code: "tunnel_prerequisite_missing",
        message: `Tunnel prerequisite not met: ExposureMode='${mode}' requires '${processName}' to be running unless Daemon.SkipTunnelProcessCheck=true is explicitly set for a sidecar or host-managed tunnel topology.`,
        remediation: `Start '${processName}' locally, or set Daemon.SkipTunnelProcessCheck=true only when the tunnel is intentionally managed outside the Netclaw process namespace.`,
      };
    }
  }
  options.seedBootstrap?.(mode);
  if (mode !== "reverse-proxy" && options.deviceBearerRegistered === false) {
    return {
      code: "device_bearer_missing",
      message: "Tunnel exposure mode requires the device-bearer authentication scheme to be registered.",
      remediation: "This is a netclaw defect: report it, and use ExposureMode 'local' until it is fixed.",
    };
  }
  if (options.pairedDevices() === 0) {
    return {
      code: "remote_auth_unavailable",
      message: `No remote authentication available: ExposureMode='${mode}' requires either at least one paired device or an alternative remote auth scheme.`,
      remediation:
        "Run 'netclaw daemon pair' to pair a device, or check your auth configuration before exposing the daemon remotely.",
    };
  }
  if (mode === "reverse-proxy") {
    const problem = reverseProxyTopologyProblem(options.settings);
    if (problem) return problem;
  }
  return { mode };
}

/** Looks for a process by exact name in /proc (Linux); false where /proc is absent. */
export function isProcessRunning(name: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) return true;
    } catch {
      // the process went away while we looked
    }
  }
  return false;
}
