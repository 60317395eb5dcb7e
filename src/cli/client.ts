import { DAEMON_MISMATCH, EXPECT_HOME_HEADER } from "../protocol/daemon-identity.ts";
import { NetclawError } from "../protocol/errors.ts";

/** The daemon could not be reached at all (refused, timed out, DNS). */
export class DaemonUnreachableError extends NetclawError {
  readonly url: string;
  constructor(url: string, reason: string) {
    super("daemon_unreachable", reason, { status: 503, isRetryable: true });
    this.url = url;
  }
}

/** The daemon answered with an error body. */
export class DaemonResponseError extends NetclawError {}

/**
 * What answered is not the daemon this CLI means: a netclawd of another home refused the request
 * (409 `daemon_mismatch`, nothing was done), or a server did not confirm the expected home id.
 */
export class WrongDaemonError extends NetclawError {
  readonly url: string;
  constructor(url: string, reason: string) {
    super(DAEMON_MISMATCH, `The daemon at ${url} is not the one this netclaw home uses: ${reason}`, {
      status: 409,
    });
    this.url = url;
  }
}

export type DaemonClientOptions = {
  endpoint: string;
  token?: string;
  timeoutMs?: number;
  /** The home id the daemon must answer to; sent with every request and checked in every answer. */
  expectHome?: string;
};

export type DaemonRequest = {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
};

/** A small typed HTTP client for the daemon API: bearer token in the header only, 5 s timeout. */
export function createDaemonClient(options: DaemonClientOptions) {
  const timeoutMs = options.timeoutMs ?? 5000;
  async function send(req: DaemonRequest): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.expectHome) headers[EXPECT_HOME_HEADER] = options.expectHome;
    if (req.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${options.endpoint}${req.path}`, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DaemonUnreachableError(options.endpoint, describeFetchError(error));
    }
    if (options.expectHome) await checkIdentity(response, options.endpoint, options.expectHome);
    return response;
  }
  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    return send({ method, path, body });
  }
  /** Sends a request and returns the parsed JSON body; a non-2xx answer throws `DaemonResponseError`. */
  async function jsonWith<T>(req: DaemonRequest): Promise<T> {
    const response = await send(req);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new DaemonResponseError(
        error?.code ?? `http_${response.status}`,
        error?.message ?? `HTTP ${response.status}`,
        {
          status: response.status,
        },
      );
    }
    return parsed as T;
  }
  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return jsonWith<T>({ method, path, body });
  }
  return {
    endpoint: options.endpoint,
    token: options.token,
    expectHome: options.expectHome,
    jsonWith,
    request,
    get: <T>(path: string) => json<T>("GET", path),
    post: <T>(path: string, body?: unknown) => json<T>("POST", path, body),
    delete: <T>(path: string) => json<T>("DELETE", path),
  };
}

export type DaemonClient = ReturnType<typeof createDaemonClient>;

/**
 * Throws WrongDaemonError unless the answer comes from the daemon of the expected home: a 409
 * `daemon_mismatch` carries the other daemon's own words; any other answer below 500 must echo
 * the home id. 5xx answers without it keep their normal handling (the daemon was closing, …).
 */
export async function checkIdentity(response: Response, url: string, expectHome: string): Promise<void> {
  if (response.status === 409) {
    const text = await response.clone().text();
    let body: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (body?.error?.code === DAEMON_MISMATCH) {
      await response.body?.cancel();
      throw new WrongDaemonError(url, String(body.error.message));
    }
  }
  // Our daemon echoes the id on every answer it routes, errors included (the guard runs before
  // auth and the host guard). Only 5xx may lack it: a daemon closing, or a gateway in front of one.
  if (response.status < 500 && response.headers.get(EXPECT_HOME_HEADER) !== expectHome) {
    await response.body?.cancel();
    throw new WrongDaemonError(
      url,
      "it did not confirm that it serves this home (it is not a netclawd, or one older than this CLI); nothing more was sent.",
    );
  }
}

function describeFetchError(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err.name === "TimeoutError") return "timed out";
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND") return "host not found";
  if (code === "ECONNRESET") return "connection reset";
  return err.cause?.message ?? err.message ?? String(error);
}
