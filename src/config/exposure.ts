import { isIP } from "node:net";

/** The startup-validation failure of reference/security.md §1: exact message and remediation. */
export type ExposureProblem = { code: string; message: string; remediation: string };

export const EXPOSURE_MODES = [
  "local",
  "reverse-proxy",
  "tailscale-serve",
  "tailscale-funnel",
  "cloudflare-tunnel",
] as const;
export type ExposureMode = (typeof EXPOSURE_MODES)[number];

/** Trim + lowercase; blank means local; `tailscaleserve`-style spellings are accepted. */
export function parseExposureMode(value: string | undefined): ExposureMode | ExposureProblem {
  const raw = (value ?? "").trim();
  const lowered = raw.toLowerCase();
  if (lowered === "") return "local";
  const match = EXPOSURE_MODES.find((mode) => mode === lowered || mode.replaceAll("-", "") === lowered);
  if (match) return match;
  return {
    code: "exposure_mode_unknown",
    message: `Unknown ExposureMode value: '${value}'. Valid values: ${EXPOSURE_MODES.join(", ")}.`,
    remediation: `Set Daemon.ExposureMode to one of ${EXPOSURE_MODES.join(", ")}, or remove it to keep the default (local).`,
  };
}

export function isExposureProblem(value: unknown): value is ExposureProblem {
  return typeof value === "object" && value !== null && "remediation" in value;
}

/** `localhost` (any case) or an IP literal in 127.0.0.0/8 or ::1. `0.0.0.0` is not loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().replace(/^\[(.*)\]$/, "$1");
  if (h.toLowerCase() === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6)
    return h === "::1" || /^(0{0,4}:){7}0{0,3}1$/.test(h) || h.toLowerCase() === "::ffff:127.0.0.1";
  return false;
}

const PROXY_REMEDIATION =
  "Each Daemon.TrustedProxies entry must be a literal IP address or CIDR, for example '10.0.0.5' or '10.0.0.0/24'.";

/** Step 1 of the startup checks: every TrustedProxies entry is an IP or a CIDR. */
export function validateTrustedProxies(entries: readonly string[]): ExposureProblem | undefined {
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) return { code: "trusted_proxy_invalid", message: problem, remediation: PROXY_REMEDIATION };
  }
  return undefined;
}

function trustedProxyProblem(entry: string): string | undefined {
  const value = entry.trim();
  if (value === "") return "Invalid trusted proxy entry ''. Value cannot be empty.";
  if (!value.includes("/")) {
    return isIP(value)
      ? undefined
      : `Invalid trusted proxy entry '${entry}'. Value is not a valid IP address or CIDR.`;
  }
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || address === undefined || prefix === undefined) {
    return `Invalid trusted proxy entry '${entry}'. Value is not a valid IP address or CIDR.`;
  }
  const family = isIP(address);
  if (family === 0) return `Invalid trusted proxy entry '${entry}'. '${address}' is not a valid IP address.`;
  if (!/^\d+$/.test(prefix))
    return `Invalid trusted proxy entry '${entry}'. '${prefix}' is not a valid CIDR prefix length.`;
  const max = family === 4 ? 32 : 128;
  if (Number(prefix) > max) {
    return `Invalid trusted proxy entry '${entry}'. CIDR prefix length must be between 0 and ${max}.`;
  }
  return undefined;
}

export type ExposureSettings = { Host: string; ExposureMode: string; TrustedProxies: readonly string[] };

/**
 * Steps 1–2 of the startup checks of reference/security.md §1 (after the mode parse): trusted
 * proxies, then local topology. Later steps need the running system (tunnel process probe,
 * bootstrap seeding, paired devices) and belong to the daemon; `reverseProxyTopologyProblem` is
 * the last step. Returns the first problem, or the parsed mode.
 */
export function validateExposureConfig(settings: ExposureSettings): { mode: ExposureMode } | ExposureProblem {
  const mode = parseExposureMode(settings.ExposureMode);
  if (isExposureProblem(mode)) return mode;
  const proxies = validateTrustedProxies(settings.TrustedProxies);
  if (proxies) return proxies;
  if (mode === "local" && !isLoopbackHost(settings.Host)) {
    return {
      code: "local_topology_invalid",
      message: `Invalid local topology: Daemon.Host '${settings.Host}' is not a loopback address. ExposureMode 'local' requires binding to 127.0.0.1, ::1, or localhost.`,
      remediation:
        "Either bind to a loopback address, or set Daemon.ExposureMode to the appropriate tunnel or reverse-proxy mode for non-loopback traffic.",
    };
  }
  return { mode };
}

/** Step 8: reverse-proxy mode needs a non-loopback bind and at least one trusted proxy. */
export function reverseProxyTopologyProblem(settings: ExposureSettings): ExposureProblem | undefined {
  if (isLoopbackHost(settings.Host)) {
    return {
      code: "reverse_proxy_topology_invalid",
      message: `Invalid reverse-proxy topology: Daemon.Host '${settings.Host}' is loopback. Loopback auto-auth is reserved for true local operator traffic and cannot be inherited through a reverse proxy.`,
      remediation:
        "Bind the daemon to a non-loopback internal IP, such as 10.x.x.x or 192.168.x.x, and have the proxy forward to that address instead of 127.0.0.1, ::1, or localhost.",
    };
  }
  if (settings.TrustedProxies.length === 0) {
    return {
      code: "reverse_proxy_topology_invalid",
      message:
        "Invalid reverse-proxy topology: Daemon.TrustedProxies must contain at least one explicitly trusted proxy address or CIDR.",
      remediation:
        "Add the reverse proxy's source IP or subnet to Daemon.TrustedProxies so forwarded headers are only honored from known peers.",
    };
  }
  return undefined;
}

/** What a mode exposes and who is trusted, for `status` and `doctor`. */
export function describeExposure(mode: ExposureMode): string {
  switch (mode) {
    case "local":
      return "loopback only (this host); local callers are trusted without a token";
    case "reverse-proxy":
      return "remote access through a reverse proxy; every caller needs a paired-device token, forwarded headers only from Daemon.TrustedProxies";
    case "tailscale-serve":
      return "remote access within your tailnet (tailscale serve); every caller needs a paired-device token";
    case "tailscale-funnel":
      return "PUBLIC internet access through Tailscale Funnel (high risk); every caller needs a paired-device token";
    case "cloudflare-tunnel":
      return "PUBLIC internet access through a Cloudflare tunnel (high risk, pair with Cloudflare Access); every caller needs a paired-device token";
  }
}
