import type { Provenance } from "../../../config/provenance.ts";
import type { NetclawConfig } from "../../../config/schema.ts";
import { isSecretName, secretLeaves } from "../../../config/secret-leaves.ts";
import { stripUrlCredentials } from "../../../protocol/url-credentials.ts";
/**
 * Content redaction for tool output, logs and stored events (reference/security.md §6). One
 * combined regular expression scans the text once; a cheap substring pre-check skips the scan for
 * the common case of text with nothing secret-shaped in it, because this runs on every tool
 * output and every log line.
 */
export const REDACTED = "***REDACTED***";

/**
 * A key name as it appears in text (a JSON member, an env or ini assignment). Whether it names a
 * credential is decided by config's isSecretName — the one definition, shared with `config get`
 * masking — not by a pattern here. Bounded: an unbounded run backtracks quadratically on long
 * runs such as "a.a.a.a…" (every dot is a word boundary where the scan restarts).
 */
export const KEY_NAME = "[A-Za-z0-9_.-]{1,96}";

// Value shapes, secret whatever they are called. Each alternative keeps what must stay (a prefix
// such as `Bearer `) in group 1 and matches the secret after it; alternatives without a kept
// prefix leave group 1 empty.
const PARTS = [
  // PEM private keys, whole block.
  String.raw`()-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----`,
  // Authorization headers.
  String.raw`(\bBearer\s+|\bAuthorization\s*:\s*Basic\s+)[A-Za-z0-9._~+/=-]{8,}`,
  // Vendor keys.
  String.raw`()\bsk-or-v1-[A-Za-z0-9]{16,}`,
  String.raw`()\bsk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{16,}`,
  String.raw`()\bxox[baprs]-[A-Za-z0-9-]{10,}`,
  String.raw`()\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})`,
  String.raw`()\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // JSON Web Tokens.
  String.raw`()\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
];

const PATTERN = new RegExp(PARTS.map((part) => `(?:${part})`).join("|"), "gi");

// Lower-case substrings at least one of which every value-shape match contains.
const TRIGGERS = ["private key", "bearer", "authorization", "sk-", "xox", "gh", "akia", "asia", "eyj"];

function mayContainSecret(text: string): boolean {
  const lower = text.toLowerCase();
  for (const trigger of TRIGGERS) if (lower.includes(trigger)) return true;
  return false;
}

// A named value: a JSON member `"Name": "value"` (groups 1–3) or an env / ini / header
// assignment `Name=value`, `Name: value` (groups 4–6), as kept prefix, name and value. A number,
// a `<placeholder>`, a `$VARIABLE` reference or a URL (whose credentials are cut separately) is
// not a value worth hiding — netclaw's own texts say `ApiKey=<key>`, `max_tokens: 4096`. A
// `Bearer `/`Basic ` scheme stays in the prefix, so the whole credential after it is hidden.
const NAMED = new RegExp(
  String.raw`("(${KEY_NAME})"\s*:\s*")((?:[^"\\]|\\.)+)(?=")|` +
    String.raw`(\b(${KEY_NAME})\s*[=:]\s*['"]?(?:(?:Bearer|Basic)\s+)?)` +
    String.raw`((?!\d+\b|<[^\s<>]*>|\$\{?[A-Za-z_]|[a-z][a-z0-9+.-]*:\/\/)[^\s'";,]{3,})`,
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
  const shaped = !mayContainSecret(text)
    ? text
    : text.replace(PATTERN, (...groups: unknown[]) => {
        // The kept prefix is whichever capture group matched (groups 1..n before offset/string).
        for (let i = 1; i <= PARTS.length; i++) {
          const kept = groups[i];
          if (typeof kept === "string") return kept + REDACTED;
        }
        return REDACTED;
      });
  return redactNamed(shaped);
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
 * DeviceToken, MCP auth headers and secret-named variables …), every leaf that came from
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
