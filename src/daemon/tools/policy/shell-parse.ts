import { decodeAnsiC } from "./ansi-c-quote.ts";
import { readBalanced } from "./shell-scan.ts";

/**
 * A small, conservative POSIX-shell tokenizer for the policy (not an interpreter). It splits a
 * command line into simple-command segments at `;`, newlines, `&&`, `||`, `|`, `&` and
 * parentheses, removes quotes, records redirections, and parses the code inside `$( )`,
 * backticks, `<( )` and unquoted here-documents as further segments — so every part of a
 * compound command is checked on its own. Anything it cannot resolve statically (an unknown
 * `$VAR`, a substitution inside a word) marks the word `dynamic`; the policy never treats a
 * dynamic segment as known-safe.
 */

/**
 * `text` is the word after quote removal. `pattern` over-approximates every string the shell
 * could turn the word into: quoted and escaped characters are backslash-escaped, unquoted glob
 * and brace characters are kept, and each expansion that is not known statically becomes
 * {@link ANY} ("any text, slashes included"). Path checks match protected paths against it.
 */
export type Word = { text: string; dynamic: boolean; glob: boolean; pattern: string };
/** In a {@link Word} pattern: a part whose value is not known statically. */
export const ANY = "\uE000";
/** Escapes glob and brace characters so a pattern treats `text` literally. */
export function escapePattern(text: string): string {
  return text.replace(/[\\*?[\]{},\uE000]/g, "\\$&");
}
/** A static word (the implicit `echo` of a bare xargs). */
export function literalWord(text: string): Word {
  return { text, dynamic: false, glob: false, pattern: escapePattern(text) };
}
export type Redirect = { op: string; target: Word | undefined };
export type Segment = {
  words: Word[];
  redirects: Redirect[];
  /** Came from a command or process substitution. */
  substitution: boolean;
  /** Has a here-document or here-string feeding stdin. */
  stdinData: boolean;
};
export type ParsedShell = { segments: Segment[]; errors: string[] };

export type ParseOptions = {
  /** Variables that expand to a known value (HOME, NETCLAW_HOME); any other `$X` is dynamic. */
  vars?: Record<string, string | undefined>;
};

const SEPARATORS = new Set([";", "\n", "&", "|", "(", ")"]);
const MAX_DEPTH = 16;

export function parseShell(command: string, options: ParseOptions = {}): ParsedShell {
  const out: ParsedShell = { segments: [], errors: [] };
  parseScript({ src: command, vars: options.vars ?? {}, out, substitution: false, depth: 0 });
  return out;
}

type State = {
  src: string;
  vars: Record<string, string | undefined>;
  out: ParsedShell;
  substitution: boolean;
  depth: number;
};

function parseScript(state: State): void {
  if (state.depth > MAX_DEPTH) {
    state.out.errors.push("nesting too deep");
    return;
  }
  const { src } = state;
  let i = 0;
  let segment = newSegment(state.substitution);
  const heredocs: { delimiter: string; strip: boolean; expand: boolean }[] = [];
  const flush = () => {
    if (segment.words.length > 0 || segment.redirects.length > 0) state.out.segments.push(segment);
    segment = newSegment(state.substitution);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "\n" && heredocs.length > 0) {
      flush();
      i = skipHeredocBodies({ state, start: i + 1, heredocs: heredocs.splice(0) });
      continue;
    }
    const processSubstitution = (c === "<" || c === ">") && src[i + 1] === "(";
    const redirectMatch = /^(\d*)(&>>|&>|>>|>\||>&|<<<|<<-|<<|<&|<>|>|<)/.exec(src.slice(i, i + 6));
    if (redirectMatch && !processSubstitution) {
      const redirect = readRedirect(state, i);
      segment.redirects.push(redirect.redirect);
      const op = redirect.redirect.op;
      if (op === "<<" || op === "<<-") {
        const raw = redirect.redirect.target?.text ?? "";
        heredocs.push({ delimiter: raw, strip: op === "<<-", expand: !redirect.quotedTarget });
        segment.stdinData = true;
      }
      if (op === "<<<") segment.stdinData = true;
      i = redirect.end;
      continue;
    }
    if (SEPARATORS.has(c) && !(c === "&" && src[i + 1] === ">")) {
      flush();
      i++;
      if ((c === "&" || c === "|") && (src[i] === c || (c === "|" && src[i] === "&"))) i++;
      continue;
    }
    const word = readWord(state, i);
    segment.words.push(word.word);
    i = word.end;
  }
  flush();
}

function newSegment(substitution: boolean): Segment {
  return { words: [], redirects: [], substitution, stdinData: false };
}

function readRedirect(
  state: State,
  start: number,
): { redirect: Redirect; end: number; quotedTarget: boolean } {
  const match = /^(\d*)(&>>|&>|>>|>\||>&|<<<|<<-|<<|<&|<>|>|<)/.exec(state.src.slice(start, start + 6))!;
  let i = start + match[0].length;
  while (state.src[i] === " " || state.src[i] === "\t") i++;
  if (i >= state.src.length || SEPARATORS.has(state.src[i]!)) {
    state.out.errors.push(`redirection ${match[2]} without a target`);
    return { redirect: { op: match[2]!, target: undefined }, end: i, quotedTarget: false };
  }
  const quotedTarget = state.src[i] === "'" || state.src[i] === '"' || state.src[i] === "\\";
  const word = readWord(state, i);
  return { redirect: { op: match[2]!, target: word.word }, end: word.end, quotedTarget };
}

/** Reads one word starting at `start`, removing quotes and parsing substitutions. */
function readWord(state: State, start: number): { word: Word; end: number } {
  const { src } = state;
  let text = "";
  let pattern = "";
  let dynamic = false;
  let glob = false;
  let i = start;
  const literal = (value: string) => {
    text += value;
    pattern += escapePattern(value);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\r" || SEPARATORS.has(c)) break;
    if ((c === "<" || c === ">") && src[i + 1] === "(") {
      const inner = balanced(state, i + 1);
      recurse(state, inner.body);
      // A pipe from a command that is checked on its own: nothing for the path checks.
      text += "/dev/fd/N";
      dynamic = true;
      i = inner.end;
      continue;
    }
    if ((c === "<" || c === ">") && i > start) break;
    // extglob groups: @(a|b) +(…) *(…) ?(…) !(…) — a pattern over one path component.
    if ("@+*?!".includes(c) && src[i + 1] === "(" && (c !== "!" || i > start)) {
      const inner = balanced(state, i + 1);
      text += src.slice(i, inner.end);
      pattern += "*";
      glob = true;
      i = inner.end;
      continue;
    }
    if (c === "\\") {
      if (src[i + 1] !== "\n") literal(src[i + 1] ?? ""); // backslash-newline joins lines, even mid-word
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) {
        state.out.errors.push("unterminated single quote");
        literal(src.slice(i + 1));
        i = src.length;
        break;
      }
      literal(src.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    if (c === '"') {
      const inner = readDoubleQuoted(state, i + 1);
      text += inner.text;
      pattern += inner.pattern;
      dynamic ||= inner.dynamic;
      i = inner.end;
      continue;
    }
    if (c === "$" && src[i + 1] === '"') {
      i++; // $"…" is a (translated) double-quoted string
      continue;
    }
    if (c === "$" || c === "`") {
      const expansion = readExpansion(state, i);
      text += expansion.text;
      pattern += expansion.dynamic ? ANY : escapePattern(expansion.text);
      dynamic ||= expansion.dynamic;
      i = expansion.end;
      continue;
    }
    // A tilde starts the word, or follows `=` or `:` in an assignment-like word (`if=~/x`).
    const assignmentTilde =
      (src[i - 1] === "=" || src[i - 1] === ":") && /^[A-Za-z_][A-Za-z0-9_]*=/.test(text);
    if (c === "~" && (i === start || assignmentTilde)) {
      const tilde = readTilde(state, i);
      text += tilde.text;
      pattern += tilde.pattern;
      dynamic ||= tilde.dynamic;
      i = tilde.end;
      continue;
    }
    if (c === "*" || c === "?" || c === "[") glob = true;
    text += c;
    pattern += "*?[]{},".includes(c) ? c : escapePattern(c);
    i++;
  }
  return { word: { text, dynamic, glob, pattern }, end: i };
}

/** `~` (the known HOME) or `~user`, `~+`, `~-` (not known: any directory). */
function readTilde(
  state: State,
  start: number,
): { text: string; pattern: string; dynamic: boolean; end: number } {
  const { src } = state;
  let end = start + 1;
  while (end < src.length && !" \t\r/".includes(src[end]!) && !SEPARATORS.has(src[end]!)) end++;
  const home = state.vars.HOME;
  if (end === start + 1 && home) return { text: home, pattern: escapePattern(home), dynamic: false, end };
  return { text: src.slice(start, end), pattern: ANY, dynamic: true, end };
}

function readDoubleQuoted(
  state: State,
  start: number,
): { text: string; pattern: string; dynamic: boolean; end: number } {
  const { src } = state;
  let text = "";
  let pattern = "";
  let dynamic = false;
  let i = start;
  while (i < src.length && src[i] !== '"') {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1]!)) {
      const kept = src[i + 1] === "\n" ? "" : src[i + 1]!;
      text += kept;
      pattern += escapePattern(kept);
      i += 2;
      continue;
    }
    if ((c === "$" && src[i + 1] !== "'") || c === "`") {
      const expansion = readExpansion(state, i);
      text += expansion.text;
      pattern += expansion.dynamic ? ANY : escapePattern(expansion.text);
      dynamic ||= expansion.dynamic;
      i = expansion.end;
      continue;
    }
    text += c;
    pattern += escapePattern(c);
    i++;
  }
  if (i >= src.length) state.out.errors.push("unterminated double quote");
  return { text, pattern, dynamic, end: Math.min(i + 1, src.length) };
}

/** `$VAR`, `${…}`, `$(…)`, `$((…))`, `$'…'` or a backtick substitution at `start`. */
function readExpansion(state: State, start: number): { text: string; dynamic: boolean; end: number } {
  const { src } = state;
  if (src[start] === "`") {
    let i = start + 1;
    let body = "";
    while (i < src.length && src[i] !== "`") {
      if (src[i] === "\\" && i + 1 < src.length) {
        body += src[i + 1];
        i += 2;
      } else body += src[i++];
    }
    if (i >= src.length) state.out.errors.push("unterminated backtick");
    recurse(state, body);
    return { text: "$(…)", dynamic: true, end: Math.min(i + 1, src.length) };
  }
  const next = src[start + 1];
  if (next === "(") {
    const inner = balanced(state, start + 1);
    recurse(
      state,
      inner.body.startsWith("(") && inner.body.endsWith(")") ? inner.body.slice(1, -1) : inner.body,
    );
    return { text: "$(…)", dynamic: true, end: inner.end };
  }
  if (next === "{") {
    const close = src.indexOf("}", start + 2);
    const body = close < 0 ? src.slice(start + 2) : src.slice(start + 2, close);
    const end = close < 0 ? src.length : close + 1;
    if (body.includes("$(") || body.includes("`")) recurse(state, body.replace(/^[^$`]*/, ""));
    const value = /^[A-Za-z_][A-Za-z0-9_]*$/.test(body) ? state.vars[body] : undefined;
    return value !== undefined
      ? { text: value, dynamic: false, end }
      : { text: `\${${body}}`, dynamic: true, end };
  }
  if (next === "'") return ansiQuoted(state, start);
  const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(src.slice(start + 1, start + 130));
  if (!name) return { text: "$", dynamic: false, end: start + 1 };
  const value = state.vars[name[1]!];
  const end = start + 1 + name[1]!.length;
  return value !== undefined
    ? { text: value, dynamic: false, end }
    : { text: `$${name[1]}`, dynamic: true, end };
}

/** `$'…'`: ANSI-C quoting is static — decoded so `$'\x2fetc'` is judged as `/etc`. */
function ansiQuoted(state: State, start: number): { text: string; dynamic: boolean; end: number } {
  const decoded = decodeAnsiC(state.src, start + 2);
  if (!decoded.terminated) state.out.errors.push("unterminated $' quote");
  return decoded;
}

function balanced(state: State, open: number): { body: string; end: number } {
  const found = readBalanced(state.src, open);
  if (!found.terminated) state.out.errors.push("unterminated parenthesis");
  return found;
}

function recurse(state: State, body: string): void {
  parseScript({ ...state, src: body, substitution: true, depth: state.depth + 1 });
}

function skipHeredocBodies(options: {
  state: State;
  start: number;
  heredocs: { delimiter: string; strip: boolean; expand: boolean }[];
}): number {
  const { state } = options;
  let i = options.start;
  for (const doc of options.heredocs) {
    const lines: string[] = [];
    for (;;) {
      if (i >= state.src.length) {
        state.out.errors.push(`here-document '${doc.delimiter}' is not terminated`);
        break;
      }
      const newline = state.src.indexOf("\n", i);
      const line = state.src.slice(i, newline < 0 ? state.src.length : newline);
      i = newline < 0 ? state.src.length : newline + 1;
      if ((doc.strip ? line.replace(/^\t+/, "") : line) === doc.delimiter) break;
      lines.push(line);
    }
    // An unquoted delimiter means the body is expanded: substitutions in it run.
    if (doc.expand) scanBody(state, lines.join("\n"));
  }
  return i;
}

/** Parses the substitutions of an expanded here-document body; the rest of it is data. */
function scanBody(state: State, body: string): void {
  const inner = { ...state, src: body };
  for (let i = 0; i < body.length; ) {
    if (body[i] === "\\") i += 2;
    else if (body[i] === "$" || body[i] === "`") i = readExpansion(inner, i).end;
    else i++;
  }
}
