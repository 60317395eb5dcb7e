import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

const LEVELS: Record<string, pino.LevelWithSilent> = {
  Trace: "trace",
  Debug: "debug",
  Information: "info",
  Warning: "warn",
  Error: "error",
  Critical: "fatal",
  None: "silent",
};

/** Paths pino blanks in every log line; tool-output redaction by content comes with the tools. */
export const REDACT_PATHS = [
  "*.ApiKey",
  "*.apiKey",
  "*.api_key",
  "*.DeviceToken",
  "*.token",
  "*.Token",
  "*.secret",
  "*.Secret",
  "*.password",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "req.headers.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
];

/**
 * A destination that writes to `logs/daemon-YYYY-MM-DD.log` (UTC date) and moves to a new file
 * when the date changes. Writes are asynchronous; `flushSync` is for the exit path.
 */
export function createDailyLogDestination(options: { dir: string; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  mkdirSync(options.dir, { recursive: true });
  let day = "";
  let current: pino.DestinationStream & { flushSync(): void; end(): void } = undefined as never;
  const open = (date: string) => {
    current?.end();
    day = date;
    // Opening the descriptor here (not inside SonicBoom, which opens asynchronously) makes the
    // first lines flushable even when the daemon aborts during startup.
    const fd = openSync(join(options.dir, `daemon-${date}.log`), "a", 0o640);
    current = pino.destination({ fd, sync: false });
  };
  open(now().toISOString().slice(0, 10));
  const stream: DestinationStream & { flushSync(): void; end(): void } = {
    write(chunk: string) {
      const date = now().toISOString().slice(0, 10);
      if (date !== day) open(date);
      current.write(chunk);
    },
    flushSync() {
      try {
        current.flushSync();
      } catch {
        // nothing buffered yet
      }
    },
    end() {
      current.end();
    },
  };
  return stream;
}

/**
 * A destination that scrubs every line before it is written (known secret values, URL
 * credentials): pino's `redact` blanks secret-named fields, this catches a secret inside a
 * message or an error text, whichever field it is in.
 */
export function createScrubbingDestination<D extends DestinationStream>(
  destination: D,
  scrub: (line: string) => string,
): D {
  return Object.assign(Object.create(destination) as D, {
    write: (chunk: string) => destination.write(scrub(chunk)),
  });
}

export function createLogger(options: { level: string; destination: DestinationStream }): Logger {
  return pino(
    {
      level: LEVELS[options.level] ?? "warn",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "***REDACTED***" },
    },
    options.destination,
  );
}
