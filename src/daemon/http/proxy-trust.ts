import { BlockList, isIP } from "node:net";

/**
 * fastify's `trustProxy` for reverse-proxy mode: forwarded headers (`X-Forwarded-For`, `-Proto`)
 * are honoured only when the direct peer (hop 0) is in Daemon.TrustedProxies, and only one hop
 * deep (ForwardLimit 1), so a client cannot smuggle a chain of addresses through the proxy.
 * Entries are validated at startup (exposure step 1); an IPv4-mapped peer matches IPv4 entries.
 */
export function createProxyTrust(entries: readonly string[]): (address: string, hop: number) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const value = entry.trim();
    const [address = "", prefix] = value.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address, hop) => hop === 0 && isTrusted(list, address);
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return list.check(address, "ipv4");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined && list.check(mapped, "ipv4")) return true;
  return list.check(address, "ipv6");
}
