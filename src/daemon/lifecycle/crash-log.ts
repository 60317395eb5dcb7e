import { writeFileSync } from "node:fs";
import { join } from "node:path";

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
    writeFileSync(path, `${at.toISOString()} pid=${process.pid}\n${options.reason}${stack}`, { mode: 0o600 });
    return path;
  } catch {
    return undefined; // the logs directory itself may be the problem; stderr still has the reason
  }
}
