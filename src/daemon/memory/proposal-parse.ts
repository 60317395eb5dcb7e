import { z } from "zod";
import { redact } from "../tools/policy/redaction.ts";
import { LIMITS } from "./memory-types.ts";

/** A fact the Compaction model proposed, before it gets a scope and an audience. */
export type ProposedFact = { title: string; content: string; tags: string[] };

/** At most this many proposals are kept from one turn; the rest are dropped. */
export const MAX_PROPOSALS_PER_TURN = 3;

/** Why a reply gave no proposals or why one proposal was dropped (logged, never shown to users). */
export type ParseResult = {
  facts: ProposedFact[];
  /** Set when the whole reply was unusable (not a JSON array of proposals). */
  unparsable?: string;
  /** Proposals dropped one by one: bad shape, or a credential. Never contains their text. */
  dropped: string[];
};

// Tolerant of what small models add around the JSON: a `tags` string instead of a list, extra
// members, surrounding whitespace. Lengths are clipped to the memory limits instead of rejected.
const factSchema = z.object({
  title: z.string().trim().min(1),
  content: z.string().trim().min(1),
  tags: z
    .union([z.array(z.unknown()), z.string()])
    .optional()
    .transform((tags) =>
      (typeof tags === "string" ? tags.split(",") : (tags ?? []))
        .filter((tag): tag is string => typeof tag === "string")
        .map((tag) => tag.trim().slice(0, LIMITS.tag))
        .filter((tag) => tag.length > 0)
        .slice(0, LIMITS.tags),
    ),
});

/**
 * The JSON text of a reply: inside a ```json fence when there is one, else from the first `[` to
 * the last `]` (models sometimes say a word before the array despite being told not to).
 */
function jsonText(raw: string): string | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(raw);
  const body = (fenced?.[1] ?? raw).trim();
  const start = body.indexOf("[");
  const end = body.lastIndexOf("]");
  return start >= 0 && end > start ? body.slice(start, end + 1) : undefined;
}

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

const charClass = (ch: string) => (/[a-z]/.test(ch) ? 0 : /[A-Z]/.test(ch) ? 1 : 2);

/**
 * The share of neighbouring letters and digits of different classes (lower, upper, digit);
 * separators are skipped, so a path or a kebab-case name counts only its word boundaries.
 */
function classChanges(text: string): number {
  const chars = text.replace(/[^A-Za-z0-9]/g, "");
  let changes = 0;
  for (let i = 1; i < chars.length; i++) if (charClass(chars[i]!) !== charClass(chars[i - 1]!)) changes++;
  return chars.length > 1 ? changes / (chars.length - 1) : 0;
}

/**
 * A long run of key-like characters with more than 4 bits of entropy per character whose
 * character classes change often: random API keys and passwords the redaction patterns do not
 * know by shape. Hex (commit ids, UUIDs) tops out at 4 bits; identifiers such as
 * `getUserSettings2024Handler` change class only between words. A heuristic: it misses some
 * keys (all lower-case ones), which the redaction patterns and the prompt still cover.
 */
export function hasKeyLikeToken(text: string): boolean {
  for (const token of text.match(/[A-Za-z0-9+/=_-]{24,}/g) ?? []) {
    if (entropy(token) > 4 && classChanges(token) >= 0.3) return true;
  }
  return false;
}

/**
 * Whether a proposal looks like (or carries) a credential: redaction would change any of its
 * text, or it holds a key-like token. Such a proposal is dropped whole rather than stored with a
 * hole in it — a memory that says where a secret was is no use, and the fact is about a secret.
 */
export function looksLikeCredential(
  fact: ProposedFact,
  redactText: (text: string) => string = redact,
): boolean {
  return [fact.title, fact.content, ...fact.tags].some(
    (text) => redactText(text) !== text || hasKeyLikeToken(text),
  );
}

/**
 * Parses the Compaction model's reply: a JSON array of `{title, content, tags}` (a code fence is
 * tolerated; `[]` means nothing to remember). Keeps at most MAX_PROPOSALS_PER_TURN valid
 * proposals, clipped to the memory limits; drops those that look like credentials (`redactText`
 * would change them — the daemon passes its configured-secret redactor — or a key-like token).
 * Anything else yields no facts and the reason in `unparsable`. Never throws.
 */
export function parseProposals(raw: string, redactText: (text: string) => string = redact): ParseResult {
  const text = jsonText(raw);
  if (text === undefined) return { facts: [], unparsable: "no JSON array in the reply", dropped: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { facts: [], unparsable: "the reply's array is not valid JSON", dropped: [] };
  }
  if (!Array.isArray(value)) return { facts: [], unparsable: "the reply is not a JSON array", dropped: [] };

  const facts: ProposedFact[] = [];
  const dropped: string[] = [];
  for (const [index, item] of value.entries()) {
    const parsed = factSchema.safeParse(item);
    if (!parsed.success) {
      dropped.push(`#${index}: not a {title, content, tags} object`);
      continue;
    }
    const fact: ProposedFact = {
      title: parsed.data.title.slice(0, LIMITS.title),
      content: parsed.data.content.slice(0, LIMITS.content),
      tags: parsed.data.tags,
    };
    if (looksLikeCredential(fact, redactText)) {
      dropped.push(`#${index}: looks like a credential`);
      continue;
    }
    if (facts.length >= MAX_PROPOSALS_PER_TURN) {
      dropped.push(`#${index}: more than ${MAX_PROPOSALS_PER_TURN} proposals`);
      continue;
    }
    facts.push(fact);
  }
  return { facts, dropped };
}
