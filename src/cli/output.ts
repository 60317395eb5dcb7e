import { stripUrlCredentials } from "../protocol/url-credentials.ts";

/** Severity of a doctor/status line: `[PASS|WARN|FAIL|INFO] <name>: <message>` + `fix:` line. */
export type Severity = "pass" | "warn" | "fail" | "info";

export type CheckLine = { name: string; severity: Severity; message: string; remediation?: string };

export function formatCheck(check: CheckLine): string {
  const head = `[${check.severity.toUpperCase()}] ${check.name}: ${check.message}`;
  return check.remediation ? `${head}\n       fix: ${check.remediation}` : head;
}

/** `1d 2h 3m`, `4m 5s`, `7s`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** A usage error: the caller prints it and exits 2. */
export class UsageError extends Error {}

// Every line the CLI prints loses URL credentials (`http://user:key@host`): errors from fetch,
// the provider check and the update check quote the URL they failed on.

export function print(line = ""): void {
  process.stdout.write(`${stripUrlCredentials(line)}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${stripUrlCredentials(line)}\n`);
}

/** The values `--format` accepts (reference/core.md §1: `--format text|json`). */
export const OUTPUT_FORMATS = ["text", "json"] as const;

/**
 * Whether a command with `--json` and `--format <format>` should print JSON. Throws UsageError
 * (exit 2) for a format other than text/json (any case) and for `--json --format text`.
 */
export function wantsJson(command: string, options: { json?: boolean; format?: string }): boolean {
  if (options.format === undefined) return options.json === true;
  const format = options.format.trim().toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `netclaw ${command}: unknown format '${options.format}'. Valid formats: ${OUTPUT_FORMATS.join(", ")}.`,
    );
  }
  if (options.json && format === "text")
    throw new UsageError(
      `netclaw ${command}: --json and --format text contradict each other; give one of them.`,
    );
  return format === "json";
}
