import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { writeClientConfig } from "../../config/client-config.ts";
import { isLoopbackHost } from "../../config/exposure.ts";
import { setSecret } from "../../config/secrets-file.ts";
import {
  PAIR_EXCHANGE_PATH,
  PAIRING_BODY_LIMIT_BYTES,
  pairExchangeResponseSchema,
} from "../../protocol/pairing.ts";
import { errorMessageOf, postJsonBounded } from "../bounded-post.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";
import { createPrompter } from "../prompt.ts";

const PAIR_TIMEOUT_MS = 15_000;

export type PairOptions = { endpoint: string; code?: string; name?: string };

/**
 * `netclaw pair <endpoint>` (reference/security.md §2.5): exchanges a pairing code for a device
 * token. Refuses plain http:// to a non-loopback host before asking anything; never follows
 * redirects; 4 KiB answer cap; 15 s deadline. Only a successful exchange writes anything: the
 * token encrypted as `DeviceToken` in secrets.json, the endpoint in client/config.json.
 */
export async function pairCommand(context: CliContext, options: PairOptions): Promise<number> {
  const parsedEndpoint = parseEndpoint(options.endpoint);
  if (!parsedEndpoint.ok) {
    printError(`error: ${parsedEndpoint.message}`);
    return 1;
  }
  const endpoint = parsedEndpoint.url;
  const defaultName = hostname();
  const prompter =
    options.code === undefined || options.name === undefined
      ? createPrompter({ input: process.stdin, output: process.stdout })
      : undefined;
  let code: string;
  let deviceName: string;
  try {
    code = options.code ?? (await prompter!.ask("Pairing code (XXXX-XXXX): "));
    deviceName = options.name ?? (await prompter!.ask(`Device name [${defaultName}]: `));
  } catch (error) {
    printError(`\nerror: ${(error as Error).message}; nothing was saved.`);
    return 1;
  } finally {
    prompter?.close();
  }
  deviceName = deviceName.trim() || defaultName;

  let response: Awaited<ReturnType<typeof postJsonBounded>>;
  try {
    response = await postJsonBounded({
      url: `${endpoint}${PAIR_EXCHANGE_PATH}`,
      body: { code: code.trim(), deviceName },
      timeoutMs: PAIR_TIMEOUT_MS,
      maxBytes: PAIRING_BODY_LIMIT_BYTES,
    });
  } catch (error) {
    printError(`error: ${(error as Error).message} Nothing was saved.`);
    return 1;
  }
  if (response.status !== 200) {
    printError(`error: ${describeFailure(endpoint, response)} Nothing was saved.`);
    return 1;
  }
  const parsed = safeJson(response.text);
  const answer = pairExchangeResponseSchema.safeParse(parsed);
  if (!answer.success) {
    printError(
      `error: ${endpoint} answered 200 without a device token; it is not a netclaw daemon. Nothing was saved.`,
    );
    return 1;
  }
  mkdirSync(context.paths.configDir, { recursive: true });
  mkdirSync(context.paths.clientDir, { recursive: true });
  setSecret({
    secretsPath: context.paths.secretsFile,
    keyPath: context.paths.secretsKey,
    dottedKey: "DeviceToken",
    value: answer.data.token,
  });
  writeClientConfig(context.paths.clientConfig, { Endpoint: endpoint });
  print(`Paired with ${endpoint} as '${deviceName}'.`);
  print(`The device token is stored encrypted in ${context.paths.secretsFile};`);
  print(`the endpoint in ${context.paths.clientConfig}. Try: netclaw status`);
  return 0;
}

/** The endpoint without a trailing slash, or a message saying why it is refused. */
function parseEndpoint(raw: string): { ok: true; url: string } | { ok: false; message: string } {
  const refuse = (message: string) => ({ ok: false as const, message });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse(
      `'${raw}' is not a URL; give the daemon's address, e.g. https://netclaw.example.ts.net or http://127.0.0.1:5199.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return refuse(`'${raw}' must start with https:// (or http:// for a loopback address).`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return refuse(
      `Refusing to pair over plain http:// with '${url.hostname}': the pairing code and device token would cross the network unencrypted. Use the https:// address of your tunnel or reverse proxy (http:// is accepted only for loopback).`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    return refuse(`'${raw}' must not contain credentials, a query or a fragment.`);
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}` };
}

function describeFailure(
  endpoint: string,
  response: { status: number; location: string | null; retryAfter: string | null; text: string },
): string {
  const message = errorMessageOf(response.text);
  if (response.status >= 300 && response.status < 400) {
    return `${endpoint} answered with a redirect (HTTP ${response.status}${response.location ? ` to ${response.location}` : ""}); pairing never follows redirects. Pair with the final address directly.`;
  }
  if (response.status === 404 && !message) {
    return `No pairing code is active on ${endpoint}. Run \`netclaw daemon pair\` on the daemon host first.`;
  }
  if (response.status === 429) {
    const wait = response.retryAfter ? ` Retry after ${response.retryAfter} s,` : " Wait,";
    return `${message ?? "Too many attempts."}${wait} or enter the full code (XXXX-XXXX-XXXX-XXXX) that \`netclaw daemon pair\` printed on the daemon host: it is accepted even now.`;
  }
  if (response.status === 401) {
    return `${message ?? "Invalid, expired, or already-used pairing code."} Ask for a new code with \`netclaw daemon pair\` on the daemon host.`;
  }
  return `${endpoint} refused the pairing (HTTP ${response.status}): ${message ?? "no details"}.`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
