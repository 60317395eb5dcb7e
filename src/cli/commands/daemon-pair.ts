import { loadOrCreateLocalControlKey, mintProof } from "../../config/local-control.ts";
import {
  PAIRING_BODY_LIMIT_BYTES,
  PAIRING_CODE_PATH,
  pairingCodeResponseSchema,
} from "../../protocol/pairing.ts";
import { errorMessageOf, postJsonBounded } from "../bounded-post.ts";
import { daemonEndpoint, isLoopbackEndpoint, resolveEndpoint } from "../client.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";

/**
 * `netclaw daemon pair` (reference/security.md §2.2), on the daemon host only: proves it can read
 * `keys/local-control.key` by minting a single-use proof and asks the daemon for a pairing code.
 * The request goes to the endpoint derived from the daemon's own Host/Port — never
 * client/config.json or NETCLAW_DAEMON_ENDPOINT — with no bearer token and no redirects.
 */
export async function daemonPairCommand(context: CliContext): Promise<number> {
  let key: Buffer | undefined;
  try {
    key = loadOrCreateLocalControlKey({ keyPath: context.paths.localControlKey, create: false });
  } catch (error) {
    printError(`error: ${(error as Error).message}`);
    printError(
      "       fix: run this command as the user netclawd runs as (in Docker: `docker exec <container> netclaw daemon pair`).",
    );
    return 1;
  }
  if (key === undefined) {
    printError(
      `error: ${context.paths.localControlKey} does not exist yet: netclawd creates it when it starts.`,
    );
    printError(
      "       fix: run `netclaw daemon start` on this host (with the same NETCLAW_HOME), then try again.",
    );
    return 1;
  }
  const endpoint = daemonEndpoint({ env: context.env, paths: context.paths }).url;
  let response: Awaited<ReturnType<typeof postJsonBounded>>;
  try {
    response = await postJsonBounded({
      url: `${endpoint}${PAIRING_CODE_PATH}`,
      body: { proof: mintProof({ key, now: Date.now }) },
      timeoutMs: 15_000,
      maxBytes: PAIRING_BODY_LIMIT_BYTES,
    });
  } catch (error) {
    printError(`error: ${(error as Error).message}`);
    printError("       fix: run `netclaw daemon start`, or check that netclawd is running on this host.");
    return 1;
  }
  const answer = pairingCodeResponseSchema.safeParse(safeJson(response.text));
  if (response.status !== 200 || !answer.success) {
    const message = errorMessageOf(response.text) ?? `HTTP ${response.status}`;
    printError(`error: the daemon at ${endpoint} did not issue a pairing code: ${message}`);
    if (response.status === 401) {
      printError(
        "       fix: run this command with the same NETCLAW_HOME and user as netclawd, whose keys/local-control.key signs the request.",
      );
    }
    return 1;
  }
  // The line a remote device needs: client/config.json, else the bind address (not the env override).
  const remote = resolveEndpoint({
    env: { ...context.env, NETCLAW_DAEMON_ENDPOINT: undefined },
    paths: context.paths,
  }).url;
  print(`Pairing code:  ${answer.data.formattedCode}`);
  print(`Expires at:    ${formatLocalTime(new Date(answer.data.expiresAt))} (local time)`);
  print(`On the remote device, run: netclaw pair ${remote}`);
  if (answer.data.fullCode) {
    print(
      `If pairing answers "Too many failed attempts", enter the full code instead: ${answer.data.fullCode}`,
    );
  }
  if (isLoopbackEndpoint(remote)) {
    print(
      "(From another machine, use the address it reaches this daemon at, e.g. your tunnel's https:// URL.)",
    );
  }
  return 0;
}

/** `HH:mm:ss` in the machine's time zone. */
export function formatLocalTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
