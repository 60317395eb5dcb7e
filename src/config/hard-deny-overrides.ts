import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

const fileSchema = z.union([z.array(z.string().min(1)), z.object({ patterns: z.array(z.string().min(1)) })]);

/**
 * `config/hard-deny-overrides.json`: extra hard-deny patterns, added to the built-in list and to
 * `Tools.HardDenyPatterns` (never removing any). Either `["pattern", …]` or
 * `{"patterns": ["pattern", …]}`; each a regular expression matched case-insensitively. A missing
 * file means none. A malformed file stops the daemon (throws ConfigError): silently ignoring it
 * would run with fewer denials than the owner wrote down.
 */
export function loadHardDenyOverrides(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw invalid(path, `cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw invalid(path, 'must be a list of strings or {"patterns": [strings]}');
  const patterns = Array.isArray(parsed.data) ? parsed.data : parsed.data.patterns;
  for (const pattern of patterns) {
    try {
      new RegExp(pattern, "i");
    } catch (error) {
      throw invalid(
        path,
        `has a pattern that is not a valid regular expression: '${pattern}' (${(error as Error).message})`,
      );
    }
  }
  return patterns;
}

function invalid(path: string, problem: string): ConfigError {
  return new ConfigError("hard_deny_overrides_invalid", `${path} ${problem}.`, {
    remediation: `Fix ${path} (example: {"patterns": ["\\\\bshutdown\\\\b"]}) or remove it.`,
  });
}
