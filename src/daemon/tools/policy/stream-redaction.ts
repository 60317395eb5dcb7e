import { isSecretName } from "../../../config/secret-leaves.ts";
import { KEY_NAME, type SecretRedactor } from "./redaction.ts";

/**
 * Redaction of text that arrives in pieces (a model's text and thinking deltas). A secret can be
 * split across two deltas, so each piece cannot be redacted on its own: the stream keeps the text
 * it has not sent yet, sends only a prefix that no later piece can turn into (part of) a secret,
 * and redacts that prefix together with the text before it (so "Bearer " in one delta and the
 * token in the next are still seen together).
 *
 * What is held back: the trailing word (secret-shaped values have no whitespace), a tail that is
 * the start of a known secret value (which may contain whitespace), an unfinished PEM private key
 * block, and an unfinished `"password": "…` JSON member. What was held back is sent with the next
 * piece that settles it; the event that completes the response carries the whole text, redacted
 * as one, so nothing is lost when the stream ends while text is held.
 *
 * The concatenated output is always a prefix of the redacted text seen so far: a piece whose
 * redaction would change text already sent (a pattern that only matched once more text came)
 * sends nothing more, and the completing event settles the rest.
 */
export type StreamRedactor = {
  /** Adds a piece; returns the redacted text that can be sent now (possibly ""). */
  push(piece: string): string;
  /**
   * The stream has (most likely) ended — the model moved on to thinking, text or a tool call:
   * returns the held-back rest, redacted as the completing event will redact it. Pieces may
   * still follow; they continue after it.
   */
  settle(): string;
};

/**
 * Text kept for context behind what was sent; older text is dropped at a line or word break.
 * Context only has to reach back over a kept prefix such as "Authorization: Bearer " — anything
 * longer that may still become a secret (a PEM block, a JSON member) is held back, not sent.
 * Small, because each piece re-redacts what is kept.
 */
const KEEP_BEHIND = 256;

export function createStreamRedactor(redactor: () => SecretRedactor): StreamRedactor {
  let raw = ""; // the text since the last freeze point, sent or not
  let sent = ""; // the redacted form of raw's prefix already sent
  // What `candidate` adds to what was sent; "" when it adds nothing or would change sent text.
  const extend = (candidate: string): string => {
    if (candidate.length <= sent.length || !candidate.startsWith(sent)) return "";
    const out = candidate.slice(sent.length);
    sent = candidate;
    return out;
  };
  return {
    settle: () => extend(redactor().text(raw)),
    push(piece) {
      raw += piece;
      const current = redactor();
      const limit = safeLimit(raw, current.values);
      const out = extend(current.text(raw.slice(0, limit)));
      if (out === "") return "";
      // Bound the work per piece: forget text far behind what was sent, at a break where
      // redacting the two parts apart gives what was sent (no match spans the cut).
      if (limit > 4 * KEEP_BEHIND) {
        const cut = breakBefore(raw, limit - KEEP_BEHIND);
        const frozen = cut > 0 ? current.text(raw.slice(0, cut)) : "";
        if (cut > 0 && sent.startsWith(frozen)) {
          raw = raw.slice(cut);
          sent = sent.slice(frozen.length);
        }
      }
      return out;
    },
  };
}

function breakBefore(text: string, end: number): number {
  const newline = text.lastIndexOf("\n", end);
  if (newline > 0) return newline + 1;
  const space = text.lastIndexOf(" ", end);
  return space > 0 ? space + 1 : 0;
}

// Secret-shaped text that has begun at the end of the text and may still grow (each anchored at
// the end): an authorization header's value, a secret-named assignment's value, a vendor key or
// JWT (or a word that may become the start of one). None of them spans more than a few hundred
// characters of whitespace-free text, so only the end of the text is searched.
const OPEN_SHAPES = [
  String.raw`(?:\bBearer\s+|\bAuthorization\s*:\s*(?:Basic\s+)?)[A-Za-z0-9._~+/=-]*`,
  // No "\b" before a vendor prefix: a known value just before it turns into "***REDACTED***",
  // which gives the prefix a word boundary the raw text does not have. Holding "desk-" for a
  // moment costs nothing.
  String.raw`(?:sk-|xox[baprs]-|gh[pousr]_|github_pat_|AKIA|ASIA|eyJ)\S*`,
  // A URL whose authority has not ended yet: an "@" may still come and make it credentials.
  String.raw`\b[a-z][a-z0-9+.-]{0,30}:(?:\/\/?)?[^\s/?#"'\x60<>\\]*`,
];
const OPEN_SHAPE = new RegExp(`(?:${OPEN_SHAPES.map((p) => `(?:${p})`).join("|")})$`, "i");
// The last letters of the text that may become a vendor prefix once the next piece arrives.
// Only the real end of the text can grow: after a cut, what follows is already known.
const OPEN_PREFIX =
  /(?:sk?|xo?|xox[baprs]?|gh?|gh[pousr]|g(?:i(?:t(?:h(?:u(?:b(?:_(?:p(?:at?)?)?)?)?)?)?)?)?|AK?I?|AS?I?|ey?)$/i;
const OPEN_SHAPE_WINDOW = 256;
// An unfinished `"password": "…` JSON member: its value may hold whitespace and be long.
const OPEN_JSON = new RegExp(String.raw`"(${KEY_NAME})"\s*:\s*"(?:[^"\\]|\\.)*\\?$`, "i");
// A named value that has begun at the end (`API_TOKEN=hun`); held only if isSecretName says so.
const OPEN_ASSIGNMENT = new RegExp(String.raw`\b(${KEY_NAME})\s*[=:]\s*['"]?[^\s'";,]*$`, "i");
const OPEN_JSON_WINDOW = 4096;
const PEM_BEGIN = "-----BEGIN ";
// "-", "--", … "-----BEGIN" at the very end: may become a PEM header.
const PEM_BEGIN_STARTED = /-{1,5}(?:B(?:E(?:G(?:I(?:N)?)?)?)?)?$/;
const PEM_PRIVATE = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * How much of `raw` can be sent now: everything before the earliest tail that may still grow
 * into a secret — the start of a known value (which may contain whitespace), an open
 * secret-shaped match, or an unfinished PEM block. Cutting may leave another such tail at the new
 * end, so the cut is repeated until it holds.
 */
export function safeLimit(raw: string, values: readonly string[]): number {
  const prefix = OPEN_PREFIX.exec(raw.slice(-12));
  let limit = prefix ? raw.length - prefix[0].length : raw.length;
  for (;;) {
    const next = openTailStart(raw.slice(0, limit), values);
    if (next >= limit) return limit;
    limit = next;
  }
}

/**
 * Where `pattern` (anchored at the end) matches `tail`, or -1. A match that captured a name counts
 * only if isSecretName accepts it; otherwise the search goes on after that name, because its value
 * may hold a secret-named one (`x=token=ab`).
 */
function openStart(pattern: RegExp, tail: string): number {
  for (let from = 0; from < tail.length; ) {
    const open = pattern.exec(tail.slice(from));
    if (!open) return -1;
    const name = open[1];
    if (name === undefined || isSecretName(name)) return from + open.index;
    from += open.index + open[0].indexOf(name) + name.length;
  }
  return -1;
}

function openTailStart(text: string, values: readonly string[]): number {
  let limit = text.length;
  for (const value of values) {
    for (let k = Math.min(value.length, text.length); k > 0; k--) {
      if (text.endsWith(value.slice(0, k))) {
        limit = Math.min(limit, text.length - k);
        break;
      }
    }
  }
  for (const [pattern, size] of [
    [OPEN_SHAPE, OPEN_SHAPE_WINDOW],
    [OPEN_JSON, OPEN_JSON_WINDOW],
    [OPEN_ASSIGNMENT, OPEN_SHAPE_WINDOW],
  ] as const) {
    const window = Math.max(0, text.length - size);
    const open = openStart(pattern, text.slice(window));
    if (open >= 0) limit = Math.min(limit, window + open);
  }
  const begin = PEM_BEGIN_STARTED.exec(text.slice(-PEM_BEGIN.length));
  if (begin) limit = Math.min(limit, text.length - begin[0].length);
  // A PEM block: held from "-----BEGIN " until its header line is complete and, for a private
  // key, until its END line has arrived.
  const pem = text.lastIndexOf(PEM_BEGIN);
  if (pem >= 0) {
    const tail = text.slice(pem);
    const headerOpen = !/^-----BEGIN [^\n]*?-----/.test(tail);
    if (headerOpen || (PEM_PRIVATE.test(tail) && !PEM_END.test(tail))) limit = Math.min(limit, pem);
  }
  return limit;
}
