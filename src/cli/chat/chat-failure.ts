import { NetclawError } from "../../protocol/errors.ts";
import { DaemonUnreachableError } from "../client.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../output.ts";
import { describeFailure, SessionRefError } from "./session-ref.ts";

/**
 * Why a headless chat failed: a stable machine-readable `code`, the human `message` (with the
 * fix where there is one) and the exit code — 2 for a usage error, 1 for everything else.
 */
export type ChatFailure = { code: string; message: string; exitCode: number };

/** Maps anything a chat run can throw to its ChatFailure. */
export function failureOf(context: CliContext, error: unknown): ChatFailure {
  if (error instanceof UsageError) return { code: "usage", message: error.message, exitCode: 2 };
  if (error instanceof SessionRefError) return { code: error.code, message: error.message, exitCode: 2 };
  const message = describeFailure(context, error);
  if (error instanceof DaemonUnreachableError) return { code: "daemon_unreachable", message, exitCode: 1 };
  if (error instanceof NetclawError) return { code: error.code, message, exitCode: 1 };
  return { code: "internal_error", message, exitCode: 1 };
}

/**
 * Reports a failure: `[error] <message>` on stderr (unless `shown`: the run already printed it)
 * and, with `--json`, one JSON object on stdout — `{"type":"error","code":…,"message":…}` plus
 * whatever the run produced (`extra`: sessionId, partial response, tool calls…). Returns the
 * exit code.
 */
export function reportFailure(
  failure: ChatFailure,
  options: { json?: boolean; shown?: boolean; extra?: Record<string, unknown> },
): number {
  if (options.json) {
    const body = { type: "error", code: failure.code, message: failure.message, ...options.extra };
    process.stdout.write(`${JSON.stringify(body)}\n`);
  }
  if (!options.shown) process.stderr.write(`[error] ${failure.message}\n`);
  return failure.exitCode;
}
