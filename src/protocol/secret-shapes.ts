/**
 * Values that are secret by their shape whatever they are called — vendor API keys, Bearer/Basic
 * credentials, PEM private keys, JSON Web Tokens. Shared by the daemon's redactor (which adds
 * known values and secret-named values) and the CLI (MCP server arguments it prints).
 */
export const REDACTED = "***REDACTED***";

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

function mayContainShape(text: string): boolean {
  const lower = text.toLowerCase();
  for (const trigger of TRIGGERS) if (lower.includes(trigger)) return true;
  return false;
}

/** `text` with every secret-shaped value replaced by `***REDACTED***`. Never throws. */
export function redactShapes(text: string): string {
  if (text.length === 0 || !mayContainShape(text)) return text;
  return text.replace(PATTERN, (...groups: unknown[]) => {
    // The kept prefix is whichever capture group matched (groups 1..n before offset/string).
    for (let i = 1; i <= PARTS.length; i++) {
      const kept = groups[i];
      if (typeof kept === "string") return kept + REDACTED;
    }
    return REDACTED;
  });
}
