import { isIP } from "node:net";

/**
 * Whether a URL's host is the local machine or a private, link-local or cloud-metadata address
 * (checked on the literal host; names are not resolved). Team and Public audiences — people in
 * shared channels, webhook senders — must not reach the host's internal network through
 * web_fetch; the operator's own Personal conversations may.
 */
export function internalHostReason(rawUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined; // the tool itself rejects it with a clearer message
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  ) {
    return `${host} is a local name`;
  }
  const kind = isIP(host);
  if (kind === 4) return privateV4(host) ? `${host} is a private or local address` : undefined;
  if (kind === 6) {
    const mapped = mappedV4(host);
    if (mapped) return privateV4(mapped) ? `${host} is a private or local address` : undefined;
    if (host === "::1" || host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host))
      return `${host} is a private or local address`;
  }
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:7f00:1` as URL normalises it). */
function mappedV4(host: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

function privateV4(address: string): boolean {
  const [a, b] = address.split(".").map(Number) as [number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}
