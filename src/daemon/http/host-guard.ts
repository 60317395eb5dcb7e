import { isIP } from "node:net";
import { isLoopbackHost } from "../../config/exposure.ts";

export type HostGuardOptions = {
  /** The address the daemon is bound to (Daemon.Host). */
  bindHost: string;
  /** Extra names that may appear in Host/Origin (Daemon.AllowedHosts, e.g. a tunnel's name). */
  allowedHosts: readonly string[];
  /** Local mode checks every Host; other modes only when AllowedHosts is set (all requests carry a token there). */
  enforceHost: boolean;
};

export type GuardVerdict =
  | { ok: true }
  | { ok: false; code: "host_not_allowed" | "origin_not_allowed"; message: string };

/** Hostname part of a Host header value or URL authority: `[::1]:5199` → `::1`. */
export function hostnameOf(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith("["))
    return value.slice(1, value.indexOf("]") === -1 ? undefined : value.indexOf("]"));
  const colon = value.lastIndexOf(":");
  return colon === -1 || value.indexOf(":") !== colon ? value : value.slice(0, colon);
}

/**
 * Closes DNS rebinding and cross-site requests on the loopback API: the Host header must name
 * the bound address, `localhost` or a configured name, and a browser request (one that sends
 * `Origin` or `Sec-Fetch-Site: cross-site`) must come from such an origin too.
 */
export function createHostGuard(options: HostGuardOptions) {
  const bind = options.bindHost
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  const wildcard = bind === "0.0.0.0" || bind === "::";
  const names = new Set(["localhost", ...options.allowedHosts.map((h) => h.trim().toLowerCase())]);
  if (!wildcard) names.add(bind);
  const allowed = (hostname: string) => {
    if (names.has(hostname)) return true;
    if (isLoopbackHost(bind) && isLoopbackHost(hostname) && isIP(hostname) === isIP(bind)) return true;
    return wildcard && isIP(hostname) !== 0;
  };
  const enforceHost = options.enforceHost || options.allowedHosts.length > 0;

  return function check(headers: {
    host?: string;
    origin?: string;
    "sec-fetch-site"?: string;
  }): GuardVerdict {
    if (enforceHost) {
      const host = headers.host;
      if (!host || !allowed(hostnameOf(host))) {
        return {
          ok: false,
          code: "host_not_allowed",
          message: `Host '${host ?? ""}' is not allowed. Use http://${options.bindHost.includes(":") ? `[${options.bindHost}]` : options.bindHost}:<port> or http://localhost:<port>, or add the name to Daemon.AllowedHosts.`,
        };
      }
    }
    const origin = headers.origin;
    if (origin !== undefined) {
      let hostname: string | undefined;
      try {
        hostname =
          origin === "null" ? undefined : new URL(origin).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
      } catch {
        hostname = undefined;
      }
      if (!hostname || !allowed(hostname)) {
        return {
          ok: false,
          code: "origin_not_allowed",
          message: `Cross-origin requests from '${origin}' are not allowed.`,
        };
      }
    } else if (headers["sec-fetch-site"] === "cross-site") {
      return {
        ok: false,
        code: "origin_not_allowed",
        message: "Cross-site browser requests are not allowed.",
      };
    }
    return { ok: true };
  };
}
