import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HomePaths } from "../../config/home.ts";
import { stripUrlCredentials } from "../../protocol/url-credentials.ts";
import type { Logger } from "./logger.ts";

/**
 * Writes `logs/crash-<timestamp>.log` synchronously (the process is about to exit) and returns
 * its path. `netclaw daemon start` reads the newest one to explain an early death.
 */
export function writeCrashLog(options: {
  logsDir: string;
  reason: string;
  error?: unknown;
}): string | undefined {
  const at = new Date();
  const path = join(options.logsDir, `crash-${at.toISOString().replace(/[:.]/g, "-")}.log`);
  const stack = options.error instanceof Error && options.error.stack ? `\n\n${options.error.stack}\n` : "\n";
  try {
    const text = `${at.toISOString()} pid=${process.pid}\n${options.reason}${stack}`;
    writeFileSync(path, stripUrlCredentials(text), { mode: 0o600 });
    return path;
  } catch {
    return undefined; // the logs directory itself may be the problem; stderr still has the reason
  }
}

/** Uncaught errors end the process with a crash log, after flushing the daemon log and the lock. */
export function installCrashHandlers(options: {
  paths: HomePaths;
  logger: Logger;
  flush: () => void;
  release: () => void;
}) {
  const crash = (kind: string) => (error: unknown) => {
    const reason = `netclawd crashed (${kind}): ${error instanceof Error ? error.message : String(error)}`;
    options.logger.fatal({ err: error }, reason);
    options.flush();
    const file = writeCrashLog({ logsDir: options.paths.logsDir, reason, error });
    process.stderr.write(`${stripUrlCredentials(reason)}${file ? ` (details in ${file})` : ""}\n`);
    options.release();
    process.exit(1);
  };
  process.on("uncaughtException", crash("uncaught exception"));
  process.on("unhandledRejection", crash("unhandled rejection"));
}
