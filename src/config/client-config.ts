import { writeJsonAtomic } from "./atomic-write.ts";
import { ConfigError } from "./errors.ts";
import { readJsonObject } from "./loader.ts";

/**
 * `client/config.json`: where the CLI finds the daemon, and — once `netclaw pair` has learnt it
 * — the id of the home that daemon serves, so a later answer from another daemon is refused.
 */
export type ClientConfig = { Endpoint?: string; HomeId?: string };

/**
 * The saved endpoint; a missing file means none (the CLI derives the endpoint from the daemon's
 * settings). Throws ConfigError — naming the file, the key and the fix — for a file that cannot
 * be read, is not a JSON object, or holds an Endpoint that is not an http(s) URL: a CLI must not
 * guess where its daemon is.
 */
export function readClientConfig(path: string): ClientConfig {
  const tree = readJsonObject(path).tree;
  if (!tree) return {};
  const endpoint = tree.Endpoint ?? tree.endpoint;
  const homeId = tree.HomeId ?? tree.homeId;
  if (endpoint === undefined || (typeof endpoint === "string" && endpoint.trim() === "")) return {};
  if (typeof endpoint !== "string" || !isHttpUrl(endpoint.trim())) {
    throw new ConfigError(
      "client_config_invalid",
      `Invalid Endpoint in ${path}: ${JSON.stringify(endpoint)} — expected the daemon's URL, such as http://127.0.0.1:5199.`,
      {
        key: "Endpoint",
        remediation: `Pair again with \`netclaw pair <endpoint>\`, or correct or remove ${path} (without it the CLI uses this home's Daemon.Host and Daemon.Port).`,
      },
    );
  }
  return {
    Endpoint: endpoint.trim(),
    ...(typeof homeId === "string" && homeId.trim() !== "" ? { HomeId: homeId.trim() } : {}),
  };
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
