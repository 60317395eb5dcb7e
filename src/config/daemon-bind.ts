import { readFileSync } from "node:fs";
import { configEntriesFromEnv } from "./env.ts";
import { getPath, isTree, mergeInto, setPath, type Tree } from "./tree.ts";

/**
 * `Daemon.Host` and `Daemon.Port` from the same layers as the full loader (netclaw.json <
 * secrets.json < environment), without validating the rest of the configuration. The CLI needs
 * only these to find the daemon, and must find it even when another setting is broken (so
 * `status` can still report). Anything unreadable or invalid falls back to the defaults.
 */
export function readDaemonBind(options: {
  configFile: string;
  secretsFile: string;
  env: NodeJS.ProcessEnv;
}): {
  host: string;
  port: number;
  exposureMode: string;
} {
  const merged: Tree = {};
  for (const file of [options.configFile, options.secretsFile]) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (isTree(parsed)) mergeInto(merged, parsed);
    } catch {
      // missing or broken: doctor reports it; the defaults still find a default daemon
    }
  }
  try {
    for (const entry of configEntriesFromEnv(options.env, [])) setPath(merged, entry.path, entry.value);
  } catch {
    // a refused variable (reserved or duplicate name): the full loader reports it with its name
  }
  const host = getPath(merged, ["Daemon", "Host"]);
  const port = Number(getPath(merged, ["Daemon", "Port"]));
  const mode = getPath(merged, ["Daemon", "ExposureMode"]);
  return {
    host: typeof host === "string" && host.trim() !== "" ? host.trim() : "127.0.0.1",
    port: Number.isInteger(port) && port > 0 && port < 65_536 ? port : 5199,
    exposureMode: typeof mode === "string" ? mode : "local",
  };
}
