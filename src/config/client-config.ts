import { readFileSync } from "node:fs";
import { writeJsonAtomic } from "./atomic-write.ts";

/** `client/config.json`: where the CLI finds the daemon. */
export type ClientConfig = { Endpoint?: string };

/** The saved endpoint; a missing or unreadable file means none (the CLI falls back to defaults). */
export function readClientConfig(path: string): ClientConfig {
  let tree: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      tree = parsed as Record<string, unknown>;
  } catch {
    return {};
  }
  const endpoint = tree?.Endpoint ?? tree?.endpoint;
  return typeof endpoint === "string" && endpoint.trim() !== "" ? { Endpoint: endpoint.trim() } : {};
}

export function writeClientConfig(path: string, config: ClientConfig): void {
  writeJsonAtomic(path, config, { mode: 0o644 });
}

/** The loopback URL a client uses for a daemon bound to `host:port` (wildcards → 127.0.0.1). */
export function endpointFromBind(host: string, port: number): string {
  const h = host.trim();
  if (h === "0.0.0.0" || h === "::" || h === "[::]" || h === "") return `http://127.0.0.1:${port}`;
  return `http://${h.includes(":") && !h.startsWith("[") ? `[${h}]` : h}:${port}`;
}
