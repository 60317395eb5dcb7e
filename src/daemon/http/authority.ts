import { isIP } from "node:net";

/** A parsed `Host` header or origin authority: lowercase hostname (IPv6 without brackets). */
export type Authority = { hostname: string; port: number | undefined };
export type ParsedOrigin = { scheme: "http" | "https"; hostname: string; port: number };

// One DNS label: letters, digits, hyphens inside; no empty labels, no trailing dot games.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const PORT = /^[1-9][0-9]{0,4}$/;

/**
 * Strict `Host` header grammar (RFC 9110 §7.2 `uri-host [ ":" port ]`, restricted to what a
 * daemon can be reached by): a DNS name or IPv4 literal, or an IPv6 literal in brackets,
 * optionally `:port` with 1–65535 and no leading zero. Anything else — userinfo (`a@b`), a path,
 * a second colon, spaces, an empty port, percent-encoding — is `undefined`, never "the part
 * before the colon": `localhost:5453@evil.com` is not `localhost`.
 */
export function parseAuthority(value: string): Authority | undefined {
  if (value.length === 0 || value.length > 300) return undefined;
  const lower = value.toLowerCase();
  let hostname: string;
  let rest: string;
  if (lower.startsWith("[")) {
    const close = lower.indexOf("]");
    if (close === -1) return undefined;
    if (isIP(lower.slice(1, close)) !== 6) return undefined;
    // One spelling per address (`[0:0::1]` is `::1`), as the URL standard serialises it.
    hostname = new URL(`http://${lower.slice(0, close + 1)}`).hostname.slice(1, -1);
    rest = lower.slice(close + 1);
  } else {
    const colon = lower.indexOf(":");
    hostname = colon === -1 ? lower : lower.slice(0, colon);
    rest = colon === -1 ? "" : lower.slice(colon);
    if (!isHostName(hostname)) return undefined;
  }
  if (rest === "") return { hostname, port: undefined };
  const digits = rest.slice(1);
  if (!rest.startsWith(":") || !PORT.test(digits) || Number(digits) > 65_535) return undefined;
  return { hostname, port: Number(digits) };
}

/** An IPv4 literal or a DNS name made of valid labels (no IPv6 here: it needs brackets). */
function isHostName(hostname: string): boolean {
  if (isIP(hostname) === 4) return true;
  if (hostname.length === 0 || hostname.length > 253) return false;
  const labels = hostname.split(".");
  // Digits-only names that are not valid IPv4 (`127.1`, `2130706433`) are refused: resolvers and
  // browsers read them as addresses, so they cannot be compared as names.
  if (labels.every((label) => /^[0-9]+$/.test(label))) return false;
  return labels.every((label) => LABEL.test(label));
}

/**
 * Strict `Origin` header: exactly the serialisation a browser sends, `scheme://host[:port]` with
 * scheme http or https, no path, userinfo, query or trailing slash. `null` and anything a URL
 * parser would have to repair are `undefined`. The port is explicit (80/443 when omitted).
 */
export function parseOrigin(value: string): ParsedOrigin | undefined {
  const match = /^(https?):\/\/([^/?#@\\]+)$/.exec(value);
  if (!match) return undefined;
  const scheme = match[1] as "http" | "https";
  const authority = parseAuthority(match[2]!);
  if (authority === undefined) return undefined;
  const defaultPort = scheme === "https" ? 443 : 80;
  if (authority.port === defaultPort) return undefined; // browsers never send the default port
  // Browsers serialise origins in lowercase; mixed case means a hand-made header.
  if (match[2] !== match[2]!.toLowerCase()) return undefined;
  return { scheme, hostname: authority.hostname, port: authority.port ?? defaultPort };
}
