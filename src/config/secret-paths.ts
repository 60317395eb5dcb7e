import type { ConfigSource } from "./provenance.ts";
import { isTree } from "./tree.ts";

/**
 * Which configuration leaves hold credentials — the one definition used by `netclaw secrets list`,
 * by the daemon's redaction of known secret values, and by the checks that keep them out of
 * netclaw.json. A leaf is a secret when its name says so (`ApiKey`, `DeviceToken`, `BotToken`,
 * `Password`, an MCP server's `GITHUB_TOKEN` variable …), when it is an MCP header that carries
 * authentication (`Authorization`, `Cookie`, `X-Api-Key` …), or when it was stored in secrets.json
 * (everything there is a credential, whatever its name — except a standard MCP header such as
 * `Accept`, which `mcp add` stores there along with the rest).
 */
const SECRET_NAME = /(?:key|token|secret|passw(?:or)?d|pwd|credentials?)$/i;
const AUTH_HEADER = /auth|cookie|key|token|secret|signature|session|passw|credential/i;
// Standard headers that never carry a credential. `mcp add` stores every header value in
// secrets.json; treating "application/json" as a secret would blank it in every text.
const PLAIN_HEADER =
  /^(?:accept(?:-[a-z-]+)?|content-[a-z-]+|user-agent|cache-control|pragma|origin|referer|mcp-protocol-version|x-request-id)$/i;

/** True when the dotted key path names a credential (see the module comment). */
export function isSecretKeyPath(path: readonly (string | number)[]): boolean {
  const segments = path.map(String);
  const last = segments.at(-1) ?? "";
  if (SECRET_NAME.test(last)) return true;
  return isMcpHeader(segments) && AUTH_HEADER.test(last);
}

function isMcpHeader(segments: readonly string[]): boolean {
  return (
    segments.length === 4 &&
    segments[0]!.toLowerCase() === "mcpservers" &&
    segments[2]!.toLowerCase() === "headers"
  );
}

/** A standard MCP header (Accept, Content-Type …) whose value is never a credential, wherever it is stored. */
function isPlainHeader(path: readonly string[]): boolean {
  return isMcpHeader(path) && PLAIN_HEADER.test(path.at(-1) ?? "");
}

export type SecretLeaf = { path: string[]; value: string };

/**
 * Every string leaf of `tree` that is a secret: by its name, or because `sourceOf(path)` says it
 * came from secrets.json (pass `isSecretsFile` to recognise that source). Arrays are walked with
 * numeric segments.
 */
export function secretLeaves(options: {
  tree: unknown;
  sourceOf?: (path: string[]) => ConfigSource;
  isSecretsFile?: (source: ConfigSource) => boolean;
}): SecretLeaf[] {
  const found: SecretLeaf[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === "string") {
      const fromSecretsFile =
        options.sourceOf !== undefined && options.isSecretsFile?.(options.sourceOf(path)) === true;
      const secret = isSecretKeyPath(path) || (fromSecretsFile && !isPlainHeader(path));
      if (value !== "" && secret) found.push({ path, value });
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, [...path, String(i)]);
    } else if (isTree(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    }
  };
  walk(options.tree, []);
  return found;
}
