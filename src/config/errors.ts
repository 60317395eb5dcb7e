import { NetclawError } from "../protocol/errors.ts";

/**
 * A configuration problem that stops a start or a command. `message` says what is wrong, naming
 * the file or variable, the key and the offending value; `remediation` says how to fix it.
 */
export class ConfigError extends NetclawError {
  readonly key: string | undefined;
  readonly remediation: string;

  constructor(
    code: string,
    message: string,
    options: { remediation: string; key?: string; cause?: unknown },
  ) {
    super(code, message, { status: 500, cause: options.cause });
    this.key = options.key;
    this.remediation = options.remediation;
  }
}
