import type { Provenance } from "../../../config/provenance.ts";
import type { NetclawConfig } from "../../../config/schema.ts";
import { argumentSecret, isSecretName, secretLeaves } from "../../../config/secret-leaves.ts";
import { REDACTED, redactShapes } from "../../../protocol/secret-shapes.ts";
import { stripUrlCredentials } from "../../../protocol/url-credentials.ts";
/**
 * Content redaction for tool output, logs and stored events (reference/security.md §6): secret
 * shapes (protocol/secret-shapes.ts), then values whose name config calls a credential. Both
 * skip the scan cheaply for text that cannot match, because this runs on every tool output and
 * every log line.
 */
export { REDACTED };

/**
 * A key name as it appears in text (a JSON member, an env or ini assignment). Whether it names a
 * credential is decided by config's isSecretName — the one definition, shared with `config get`
 * masking — not by a pattern here. Bounded: an unbounded run backtracks quadratically on long
 * runs such as "a.a.a.a…" (every dot is a word boundary where the scan restarts).
 */
export const KEY_NAME = "[A-Za-z0-9_.-]{1,96}";

// A named value: a JSON member `"Name": "value"` (groups 1–3) or an env / ini / header
// assignment `Name=value`, `Name: value` (groups 4–6), as kept prefix, name and value. A number,
// a `<placeholder>`, a `$VARIABLE` reference or a URL (whose credentials are cut separately) is
// not a value worth hiding — netclaw's own texts say `ApiKey=<key>`, `max_tokens: 4096`. A
// `Bearer `/`Basic ` scheme stays in the prefix, so the whole credential after it is hidden.
const NAMED = new RegExp(
  String.raw`("(${KEY_NAME})"\s*:\s*")((?:[^"\\]|\\.)+)(?=")|` +
    String.raw`(\b(${KEY_NAME})\s*[=:]\s*['"]?(?:(?:Bearer|Basic)\s+)?)` +
    // Right after a quote the value runs to the closing quote (`PASSWORD="two words"`).
    String.raw`((?!\d+\b|<[^\s<>]*>|\$\{?[A-Za-z_]|[a-z][a-z0-9+.-]*:\/\/)(?:(?<=['"])[^'"\n]+|[^\s'";,]{3,}))`,
  "gi",
);

/** Hides the value of every named value whose name isSecretName accepts. */
function redactNamed(text: string): string {
  if (!text.includes("=") && !text.includes(":")) return text;
  return text.replace(NAMED, (...groups: (string | undefined)[]) => {
    const json = groups[1] !== undefined;
    const prefix = (json ? groups[1] : groups[4]) ?? "";
    const name = (json ? groups[2] : groups[5]) ?? "";
    const value = (json ? groups[3] : groups[6]) ?? "";
    // Not a credential's name: its value may still hold one (`x=token=abc`), so look inside.
    return isSecretName(name) ? prefix + REDACTED : prefix + redactNamed(value);
  });
}

/** Returns `text` with every secret-shaped value replaced by `***REDACTED***`. Never throws. */
export function redact(text: string): string {
  if (text.length === 0) return text;
  return redactNamed(redactShapes(text));
}

/** Known secret values and the redactions built on them; see {@link createSecretRedactor}. */
export type SecretRedactor = {
  /** Secret-shaped text, every known value verbatim, and URL credentials. */
  text(text: string): string;
  /** Only the known values and URL credentials: for a user's own words, whose shapes stay. */
  known(text: string): string;
  /** The known values (at least 6 characters), longest first. */
  values: readonly string[];
};

/**
 * Redacts known secret values wherever they appear verbatim (longest first, so a value that
 * contains another is replaced whole), URL credentials, and — in `text` — secret-shaped text.
 * Values shorter than 6 characters are ignored: replacing every "admin" would mangle text
 * without protecting anything.
 */
export function createSecretRedactor(secrets: Iterable<string>): SecretRedactor {
  const values = [...new Set(secrets)]
    .filter((value) => value.length >= 6)
    .sort((a, b) => b.length - a.length);
  const escaped = values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = values.length === 0 ? undefined : new RegExp(escaped.join("|"), "g");
  const known = (text: string) => {
    const stripped = stripUrlCredentials(text);
    return pattern ? stripped.replace(pattern, REDACTED) : stripped;
  };
  return { text: (text) => redact(known(text)), known, values };
}

/** Redacts a plain secret value wherever it appears verbatim (known configured keys). */
export function createValueRedactor(secrets: Iterable<string>): (text: string) => string {
  return createSecretRedactor(secrets).text;
}

/**
 * Every configured credential value: the leaves `secretLeaves` finds (provider keys,
 * DeviceToken, MCP auth headers and secret-named variables …), the credentials on stdio MCP
 * servers' command lines (`argumentSecret`), every leaf that came from
 * secrets.json (with `provenance`), and the environment variables a secret MCP header reads
 * through `${NAME}` (with `env`).
 */
export function configSecretValues(options: {
  config: NetclawConfig;
  provenance?: Provenance;
  secretsFile?: string;
  env?: NodeJS.ProcessEnv;
}): string[] {
  const { provenance, secretsFile, env } = options;
  const leaves = secretLeaves({
    tree: options.config,
    ...(provenance ? { sourceOf: (path: string[]) => provenance.lookup(path) } : {}),
    isSecretsFile: (source) => source.kind === "file" && source.path === secretsFile,
  });
  const values = leaves.map((leaf) => leaf.value);
  // Tokens passed on a stdio MCP server's command line (`--token abc`, `--api-key=abc`).
  for (const server of Object.values(options.config.McpServers)) {
    for (const index of server.Arguments.keys()) {
      const found = argumentSecret(server.Arguments, index);
      if (found) values.push(found.secret);
    }
  }
  if (env) {
    for (const leaf of leaves) {
      for (const [, name] of leaf.value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
        const value = env[name!];
        if (value) values.push(value);
      }
    }
  }
  return values;
}
