import { redactShapes } from "../protocol/secret-shapes.ts";
import { stripUrlCredentials } from "../protocol/url-credentials.ts";
import type { ConfigSource } from "./provenance.ts";
import { SECRET_KEY_NAMES } from "./schema.ts";
import { isEncrypted } from "./secret-box.ts";
import { isTree } from "./tree.ts";

/** What a masked secret prints as, in every command that shows configuration. */
export const MASKED = "(hidden)";

/**
 * A key name that looks like a credential. Default-deny: besides the schema's known secret keys,
 * any name ending in key/token/secret/password/credential (or containing secret, password,
 * credential, authorization, cookie) counts, so a new or user-named setting is hidden too.
 */
const SECRET_NAME =
  /(key|token|secret|password|passwd|pwd|credential)s?$|secret|password|credential|authorization|cookie/i;

const KNOWN = new Set(SECRET_KEY_NAMES.map((name) => name.toLowerCase()));

/** Whether one key name looks like a credential (see SECRET_NAME). */
export function isSecretName(name: string): boolean {
  return KNOWN.has(name.toLowerCase()) || SECRET_NAME.test(name);
}

/**
 * Whether the leaf's own name (the last segment that is not an array index) names a credential:
 * refused by `config set`, flagged when written into netclaw.json. Record names on the way
 * (a provider called `my-secret-llm`) do not make its `Type` a credential.
 */
export function hasSecretName(path: readonly (string | number)[]): boolean {
  const name = [...path].reverse().find((segment) => !/^\d+$/.test(String(segment)));
  return name !== undefined && isSecretName(String(name));
}

/**
 * Whether the leaf at `path` must never be printed (default-deny, so stricter than
 * hasSecretName): a credential name anywhere on the path, or a
 * value of an MCP server's EnvironmentVariables or Headers (those carry tokens under any name).
 */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  if (path.some((segment) => typeof segment === "string" && isSecretName(segment))) return true;
  const [root, , section] = path.map((segment) => String(segment).toLowerCase());
  return root === "mcpservers" && (section === "environmentvariables" || section === "headers");
}

/**
 * A copy of `value` (the configuration subtree at `path`) with every secret leaf replaced by
 * MASKED. Empty strings, booleans and null stay as they are: they reveal nothing. The input is
 * not modified.
 */
export function maskSecrets(value: unknown, path: readonly (string | number)[]): unknown {
  if (isArgumentsPath(path)) {
    // An array, or (after `config set …Arguments.1`, as the environment writes it) numbered keys.
    const list = Array.isArray(value) ? value : isTree(value) ? argumentList(value) : undefined;
    if (list?.every((item) => typeof item === "string")) {
      const masked = maskArguments(list);
      if (Array.isArray(value)) return masked;
      const keys = Object.keys(value as object);
      return Object.fromEntries(keys.map((key) => [key, masked[Number(key)]]));
    }
  }
  if (Array.isArray(value)) return value.map((item, index) => maskSecrets(item, [...path, index]));
  if (isTree(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, maskSecrets(child, [...path, key])]),
    );
  }
  const revealing = value !== "" && value !== null && typeof value !== "boolean";
  return revealing && isSecretPath(path) ? MASKED : value;
}

/** `McpServers.<name>.Arguments`: a stdio server's command line, where tokens are often passed. */
function isArgumentsPath(path: readonly (string | number)[]): boolean {
  const [root, , section] = path.map((segment) => String(segment).toLowerCase());
  return path.length === 3 && root === "mcpservers" && section === "arguments";
}

/** The values of a `{ "0": …, "1": … }` tree as an array by index; undefined for other keys. */
function argumentList(tree: Record<string, unknown>): unknown[] | undefined {
  const keys = Object.keys(tree);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  const list: unknown[] = [];
  for (const key of keys) list[Number(key)] = tree[key];
  return list.map((item) => item ?? "");
}

// Short flags that pass a credential in common tools (`-t <token>`, `-p <password>`, `-k <key>`).
const SECRET_SHORT_FLAG = /^-[tpk]$/;
// `--api-key=…`, `-token=…`, `DB_PASSWORD=…` (env-style, as in `env X=… cmd` or `docker -e`),
// `Authorization: …` (a header passed whole).
const NAMED_ARGUMENT = /^(-{0,2}([A-Za-z][A-Za-z0-9_.-]*)(?:=|\s*:\s*))([\s\S]+)$/;

/** Whether `flag` is a flag whose next argument is its (credential) value: `--token`, `-t`. */
function takesSecret(flag: string): boolean {
  if (SECRET_SHORT_FLAG.test(flag)) return true;
  const long = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(flag);
  return long !== null && isSecretName(long[1]!);
}

/**
 * The credential in argument `index` of a command line, split off what may be shown, or
 * undefined: the argument after a secret flag (`--token abc`, `-t abc`, `--api-key abc`), or the
 * value of `--flag=value` / `NAME=value` / `Name: value` whose name isSecretName calls a credential.
 */
export function argumentSecret(
  args: readonly string[],
  index: number,
): { kept: string; secret: string } | undefined {
  const arg = args[index] ?? "";
  if (arg === "") return undefined;
  const previous = index > 0 ? args[index - 1] : undefined;
  if (previous !== undefined && takesSecret(previous)) return { kept: "", secret: arg };
  const named = NAMED_ARGUMENT.exec(arg);
  if (!named) return undefined;
  if (isSecretName(named[2]!)) return { kept: named[1]!, secret: named[3]! };
  // A plain flag may carry a named credential: `--header=Authorization: Bearer abc`.
  const inner = argumentSecret([named[3]!], 0);
  return inner && { kept: named[1]! + inner.kept, secret: inner.secret };
}

/**
 * A stdio MCP server's arguments as they may be printed: each credential argumentSecret finds
 * becomes MASKED (its flag stays), URL credentials are stripped (`postgres://***REDACTED***@db`),
 * and secret-shaped values (vendor keys, Bearer …) are redacted.
 */
export function maskArguments(args: readonly string[]): string[] {
  const found = args.map((_, index) => argumentSecret(args, index));
  // A credential found once is hidden wherever else it appears (`sh -c '… tok-1 …' --token tok-1`);
  // short values (under 6 characters) would mangle words without protecting anything.
  const known = found.flatMap((hit) => (hit && hit.secret.length >= 6 ? [hit.secret] : []));
  const hideKnown = (text: string) => known.reduce((out, secret) => out.split(secret).join(MASKED), text);
  return args.map((arg, index) => {
    const hit = found[index];
    return hit ? hit.kept + MASKED : hideKnown(redactShapes(stripUrlCredentials(arg)));
  });
}

/** Dotted paths of credential-named leaves holding a non-empty plain value (not `ENC:v1:`) in `tree`. */
export function plaintextSecretPaths(tree: unknown, path: string[] = []): string[] {
  if (Array.isArray(tree))
    return tree.flatMap((item, index) => plaintextSecretPaths(item, [...path, String(index)]));
  if (isTree(tree))
    return Object.entries(tree).flatMap(([key, child]) => plaintextSecretPaths(child, [...path, key]));
  const plain = typeof tree === "string" ? tree.trim() !== "" && !isEncrypted(tree) : tree != null;
  return plain && typeof tree !== "boolean" && hasSecretName(path) ? [path.join(".")] : [];
}

// Standard headers that never carry a credential. `mcp add` stores every header value in
// secrets.json; treating "application/json" as a secret would blank it in every text.
const PLAIN_HEADER =
  /^(?:accept(?:-[a-z-]+)?|content-[a-z-]+|user-agent|cache-control|pragma|origin|referer|mcp-protocol-version|x-request-id)$/i;

function isPlainMcpHeader(path: readonly string[]): boolean {
  const [root, , section] = path.map((segment) => segment.toLowerCase());
  return (
    path.length === 4 && root === "mcpservers" && section === "headers" && PLAIN_HEADER.test(path[3] ?? "")
  );
}

export type SecretLeaf = { path: string[]; value: string };

/**
 * The credential values of a configuration tree, for redacting them wherever they appear: every
 * non-empty string leaf whose own name is a credential's (`hasSecretName`: ApiKey, DeviceToken,
 * an MCP server's `Authorization` header or `GITHUB_TOKEN` variable …), and every leaf that came
 * from secrets.json (`sourceOf` + `isSecretsFile`) whatever its name — all of that file is
 * credentials, except the standard MCP headers (`Accept` …) that `mcp add` stores there too.
 * Narrower than `isSecretPath` on purpose: a value listed here is blanked in every text, so an
 * MCP `LOG_LEVEL=production` must not be. Arrays are walked with numeric segments.
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
      const secret = hasSecretName(path) || (fromSecretsFile && !isPlainMcpHeader(path));
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
