import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import pino, { type DestinationStream, type Logger } from "pino";
import { isSecretName } from "../../config/secret-leaves.ts";

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

const CENSOR = "***REDACTED***";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of a log call's fields with every non-empty string whose field name isSecretName calls a
 * credential (config's one definition: `ApiKey`, `token`, `authorization`, `cookie` …) blanked, at
 * any depth of plain objects and arrays. Numbers stay (`inputTokens: 120` is a count). Errors and
 * other class instances are left to their serializers; the scrubbing destination still removes
 * known values from them.
 */
export function censorSecretFields(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => censorSecretFields(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const secret = typeof field === "string" && field !== "" && isSecretName(name);
    out[name] = secret ? CENSOR : censorSecretFields(field, depth + 1);
  }
  return out;
}

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
      formatters: { log: (fields) => censorSecretFields(fields) as Record<string, unknown> },
    },
    options.destination,
  );
}
