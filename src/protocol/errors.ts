/**
 * One error hierarchy for the whole project. `code` is stable and machine-readable; `message`
 * says what failed and how to fix it. The HTTP layer maps `status` straight to the response.
 */
export class NetclawError extends Error {
  readonly code: string;
  readonly status: number;
  readonly isRetryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { status?: number; isRetryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** The JSON body of every HTTP error response. */
export type ErrorBody = { error: { code: string; message: string } };

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
