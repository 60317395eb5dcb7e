import { BlockList, isIP } from "node:net";
import type { ExposureMode } from "../../config/exposure.ts";
import { isLoopbackHost } from "../../config/exposure.ts";
import { createProxyTrust } from "./proxy-trust.ts";

/** What a request looks like to the resolver: its socket peer, fastify's `ip` and raw headers. */
export type ClientRequest = {
  socketAddress: string | undefined;
  /** fastify's `request.ip`: the forwarded client when the peer is a trusted reverse proxy. */
  ip: string;
  rawHeaders: readonly string[];
};

/** Stands for every client a tunnel forwarded without saying who it is (see below). */
export const UNKNOWN_CLIENT = "unknown";

/**
 * The header each tunnel writes its client's address into. Both overwrite whatever the client
 * sent: cloudflared passes the edge's `CF-Connecting-IP`; tailscaled *sets* `X-Forwarded-For`
 * to the address of the connection it terminated (one address, no list).
 */
const TUNNEL_CLIENT_HEADER: Partial<Record<ExposureMode, string>> = {
  "cloudflare-tunnel": "cf-connecting-ip",
  "tailscale-serve": "x-forwarded-for",
  "tailscale-funnel": "x-forwarded-for",
};

/**
 * Resolves the address a request really comes from — the key of the pairing limits.
 * - `local`: the socket peer; forwarded headers are ignored.
 * - `reverse-proxy`: fastify's `request.ip` (X-Forwarded-For, last hop, only from a trusted proxy).
 * - tunnel modes: every tunnel client arrives from the tunnel's own address (loopback, or a
 *   sidecar listed in Daemon.TrustedProxies), so from such a peer the tunnel's client header is
 *   read: exactly one, a single valid IP (for X-Forwarded-For the last entry, the one the tunnel
 *   wrote). Any other peer reached the daemon directly and is its own address. A request from the
 *   tunnel peer without a usable header is `UNKNOWN_CLIENT`: one shared bucket, but one that only
 *   header-less callers share (processes on this host, a misconfigured tunnel) — real tunnel
 *   clients always carry the header, so such a caller cannot lock them out, and the owner's full
 *   pairing code gets through even that bucket's lockout.
 */
export function createClientAddress(options: {
  mode: ExposureMode;
  trustedProxies: readonly string[];
}): (request: ClientRequest) => string {
  if (options.mode === "reverse-proxy") return (request) => request.ip;
  const header = TUNNEL_CLIENT_HEADER[options.mode];
  if (header === undefined) return (request) => peerOf(request);
  const trusted = createProxyTrust(options.trustedProxies);
  return (request) => {
    const peer = peerOf(request);
    if (!isLoopbackHost(peer) && !trusted(peer, 0)) return peer;
    return forwardedClient(request.rawHeaders, header) ?? UNKNOWN_CLIENT;
  };
}

function peerOf(request: ClientRequest): string {
  const address = request.socketAddress ?? request.ip;
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function forwardedClient(rawHeaders: readonly string[], name: string): string | undefined {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  if (values.length !== 1) return undefined;
  const address = values[0]!.split(",").at(-1)!.trim();
  if (isIP(address) === 0) return undefined;
  return address.toLowerCase().startsWith("::ffff:") && isIP(address.slice(7)) === 4
    ? address.slice(7)
    : address.toLowerCase();
}

const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet("2000::", 3, "ipv6");

/**
 * The rate-limit key of a client address: the address itself, except that a public IPv6 address
 * counts as its /64 — one subscriber usually holds a whole /64, and a per-address lockout there
 * would be escaped by changing the interface identifier. Private IPv6 (ULA such as Tailscale's
 * fd7a:115c:a1e0::/48, link-local) stays per address.
 */
export function rateLimitKey(address: string): string {
  if (isIP(address) !== 6 || !GLOBAL_UNICAST_V6.check(address, "ipv6")) return address;
  const groups = expandIpv6(address).slice(0, 4);
  return `${groups.join(":")}::/64`;
}

/** Eight hex groups of an IPv6 address (`2001:db8::1` → 2001, db8, 0, 0, 0, 0, 0, 1). */
function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...(tail === undefined ? [] : fill), ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}
