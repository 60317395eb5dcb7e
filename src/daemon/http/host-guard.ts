import { isIP } from "node:net";
import { isLoopbackHost } from "../../config/exposure.ts";
import { type Authority, type ParsedOrigin, parseAuthority, parseOrigin } from "./authority.ts";

export type HostGuardOptions = {
  /** The address the daemon is bound to (Daemon.Host). */
  bindHost: string;
  /**
   * The port the daemon listens on (Daemon.Port): a local name must come with exactly this port.
   * A function when it is known only after listening (port 0 in tests).
   */
  port: number | (() => number);
  /** Extra names that may appear in Host/Origin (Daemon.AllowedHosts, e.g. a tunnel's name), any port. */
  allowedHosts: readonly string[];
  /** Local mode checks every Host; other modes only when AllowedHosts is set (all requests carry a token there). */
  enforceHost: boolean;
};

export type GuardVerdict =
  | { ok: true }
  | { ok: false; code: "host_not_allowed" | "origin_not_allowed"; message: string };

export type HostGuard = (rawHeaders: readonly string[]) => GuardVerdict;

/** Fetch-metadata values a page of another origin cannot produce. */
const SAME_ORIGIN_FETCH = new Set(["same-origin", "none"]);

/**
 * Closes DNS rebinding and cross-site requests on the API. Works on the raw header list so a
 * duplicated header is seen (node keeps only the first `Host`). Rules, in order:
 * - exactly one `Host`, strictly `host[:port]` (no userinfo, path or second colon), in every mode;
 * - when enforced, its name must be `localhost`, a loopback/bound address — then with the daemon's
 *   own port, since another local port is another origin — or a Daemon.AllowedHosts name (any
 *   port: it is reached through a tunnel or proxy); a wildcard bind accepts any IP literal;
 * - any request carrying `Origin` (browsers add it to every cross-origin request, and to POSTs)
 *   must carry exactly the daemon's own origin `http://<local name>:<port>` or an origin on an
 *   AllowedHosts name; `null`, other ports and other schemes are refused, in every mode — also on
 *   anonymous routes, so no web page can drive pairing attempts from its visitors' browsers;
 * - without `Origin`, `Sec-Fetch-Site` other than `same-origin`/`none` is refused.
 */
export function createHostGuard(options: HostGuardOptions): HostGuard {
  const bind = options.bindHost
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  const wildcard = bind === "0.0.0.0" || bind === "::";
  const portOption = options.port;
  const port = typeof portOption === "function" ? portOption : () => portOption;
  const configured = new Set(options.allowedHosts.map((h) => h.trim().toLowerCase()));
  const isLocalName = (hostname: string) =>
    hostname === "localhost" ||
    (!wildcard && hostname === bind) ||
    // Bound to a loopback address: other loopback literals of its family reach it too (and any
    // loopback literal when bound to the name `localhost`, which may resolve to either family).
    (isLoopbackHost(bind) &&
      isLoopbackHost(hostname) &&
      (bind === "localhost" || isIP(hostname) === isIP(bind)));
  const hostAllowed = (host: Authority) =>
    configured.has(host.hostname) ||
    (isLocalName(host.hostname) && (host.port ?? 80) === port()) ||
    (wildcard && isIP(host.hostname) !== 0);
  const originAllowed = (origin: ParsedOrigin) =>
    configured.has(origin.hostname) ||
    (origin.scheme === "http" && isLocalName(origin.hostname) && origin.port === port());
  const enforceHost = options.enforceHost || configured.size > 0;

  return function check(rawHeaders) {
    const own = `http://${bind.includes(":") ? `[${bind}]` : wildcard ? "localhost" : bind}:${port()}`;
    const hosts = headerValues(rawHeaders, "host");
    const host = hosts[0];
    if (hosts.length > 1)
      return refuseHost(`Only one Host header is allowed; this request has ${hosts.length}.`);
    if (host !== undefined && parseAuthority(host) === undefined) {
      return refuseHost(`Host '${shown(host)}' is not a valid host[:port].`);
    }
    if (enforceHost && (host === undefined || !hostAllowed(parseAuthority(host)!))) {
      return refuseHost(
        `Host '${shown(host ?? "")}' is not allowed. Use ${own} or http://localhost:${port()}, or add the name to Daemon.AllowedHosts.`,
      );
    }
    const origins = headerValues(rawHeaders, "origin");
    if (origins.length > 1) return refuseOrigin("Only one Origin header is allowed.");
    const origin = origins[0];
    if (origin !== undefined) {
      const parsed = parseOrigin(origin);
      if (parsed === undefined || !originAllowed(parsed)) {
        return refuseOrigin(
          `Cross-origin requests from '${shown(origin)}' are not allowed. Only the daemon's own origin (${own}) or a Daemon.AllowedHosts name may send an Origin.`,
        );
      }
      return { ok: true };
    }
    const site = headerValues(rawHeaders, "sec-fetch-site");
    if (site.some((value) => !SAME_ORIGIN_FETCH.has(value.trim().toLowerCase()))) {
      return refuseOrigin("Cross-site browser requests are not allowed.");
    }
    return { ok: true };
  };
}

/** Every value of one header, in order, from node's `rawHeaders` ([name, value, name, value…]). */
function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

/** A header value as quoted back in a message: bounded, so a huge header is not echoed whole. */
function shown(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

function refuseHost(message: string): GuardVerdict {
  return { ok: false, code: "host_not_allowed", message };
}

function refuseOrigin(message: string): GuardVerdict {
  return { ok: false, code: "origin_not_allowed", message };
}
