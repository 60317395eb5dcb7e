import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ANY, escapePattern } from "./shell-parse.ts";

/**
 * Patterns of shell words (see `Word.pattern` in shell-parse.ts): brace expansion, matching
 * against concrete paths, and glob expansion on disk. Everything here over-approximates what
 * the shell could produce — a pattern may match more than bash would, never less — because the
 * policy judges a path after every expansion the shell would do.
 */

const MAX_BRACE_RESULTS = 64;

/** Brace expansion (`{a,b}`, `{a..c}`, `{1..3}`), nested; undefined when it yields too many words. */
export function expandBraces(pattern: string): string[] | undefined {
  const out: string[] = [];
  const pending = [pattern];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const group = findBraceGroup(current);
    if (!group) {
      out.push(current);
      if (out.length > MAX_BRACE_RESULTS) return undefined;
      continue;
    }
    const head = current.slice(0, group.open);
    const tail = current.slice(group.close + 1);
    for (const alternative of group.alternatives) pending.push(head + alternative + tail);
    if (pending.length + out.length > MAX_BRACE_RESULTS) return undefined;
  }
  return out;
}

/** The first unescaped `{…}` with a top-level comma or a `x..y` sequence. */
function findBraceGroup(
  pattern: string,
): { open: number; close: number; alternatives: string[] } | undefined {
  for (let open = 0; open < pattern.length; open++) {
    if (pattern[open] === "\\") {
      open++;
      continue;
    }
    if (pattern[open] !== "{") continue;
    let depth = 0;
    const commas: number[] = [];
    for (let i = open + 1; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === "\\") i++;
      else if (c === "{") depth++;
      else if (c === "}" && depth > 0) depth--;
      else if (c === "," && depth === 0) commas.push(i);
      else if (c === "}") {
        const body = pattern.slice(open + 1, i);
        if (commas.length > 0) {
          const cuts = [open, ...commas, i];
          const alternatives = cuts.slice(1).map((cut, k) => pattern.slice(cuts[k]! + 1, cut));
          return { open, close: i, alternatives };
        }
        const sequence = braceSequence(body);
        if (sequence) return { open, close: i, alternatives: sequence };
        break;
      }
    }
  }
  return undefined;
}

function braceSequence(body: string): string[] | undefined {
  const numbers = /^(-?\d+)\.\.(-?\d+)(?:\.\.-?\d+)?$/.exec(body);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.-?\d+)?$/.exec(body);
  const match = numbers ?? letters;
  if (!match) return undefined;
  const from = numbers ? Number(match[1]) : match[1]!.charCodeAt(0);
  const to = numbers ? Number(match[2]) : match[2]!.charCodeAt(0);
  if (Math.abs(to - from) > MAX_BRACE_RESULTS) return [ANY]; // too long to list: anything
  const step = from <= to ? 1 : -1;
  const values: string[] = [];
  for (let v = from; v !== to + step; v += step)
    values.push(numbers ? String(v) : escapePattern(String.fromCharCode(v)));
  return values;
}

/** Whether the pattern has a glob character or an unknown part (else it is one literal path). */
export function hasWildcards(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?" || c === "[" || c === ANY) return true;
  }
  return false;
}

/** The literal text of a pattern without wildcards. */
export function unescapePattern(pattern: string): string {
  return pattern.replace(/\\([\s\S])/g, "$1");
}

/** Whether nothing in the pattern is known: it could be any path at all. */
export function isOnlyUnknown(pattern: string): boolean {
  return pattern.includes(ANY) && pattern.replace(/[\uE000/*]/g, "") === "";
}

/**
 * A regular expression over absolute paths. `*`, `?` and `[…]` match within one component
 * (a leading dot only with `dotglob`), an unknown part matches anything, and a `..` after
 * a wildcard makes everything before it unknown (which directory it climbs out of is not known).
 */
export function patternRegex(pattern: string, dotglob = false): RegExp {
  return new RegExp(`^${patternSource(pattern, dotglob)}/?$`, "s");
}

/** Without `dotglob`, as in bash, a glob character never matches a name's leading dot. */
function patternSource(pattern: string, dotglob: boolean): string {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (!dotglob && (i === 0 || pattern[i - 1] === "/") && "*?[".includes(c)) source += "(?!\\.)";
    if (c === "\\") {
      source += escapeRegex(pattern[i + 1] ?? "");
      i++;
    } else if (c === ANY) source += ".*";
    else if (c === "*") source += pattern[i + 1] === "*" ? ".*" : "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) source += "\\[";
      else {
        source += "[^/]";
        i = close;
      }
    } else source += escapeRegex(c);
  }
  return source;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** `..` after a wildcard: the directory it leaves is not known, so the prefix becomes unknown. */
export function normalizeDotDot(pattern: string): string {
  const parts = pattern.split("/");
  let out: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === "." || (part === "" && i > 0)) continue; // `a//b` and `a/./b` are `a/b`
    if (part === ".." && out.some((p) => hasWildcards(p))) out = [ANY];
    else out.push(part);
  }
  return out.join("/") || "/";
}

const MAX_GLOB_ENTRIES = 2000;

/**
 * Expands an absolute pattern (glob characters only, no unknown parts) against the file system
 * as the shell would, dot files included. Undefined when it would visit too many entries.
 */
export function expandOnDisk(pattern: string, dotglob = false): string[] | undefined {
  let paths = ["/"];
  let visited = 0;
  for (const part of pattern.split("/").filter((p) => p !== "")) {
    if (!hasWildcards(part)) {
      const name = unescapePattern(part);
      paths = paths.map((p) => join(p, name));
      continue;
    }
    const regex = new RegExp(`^${patternSource(part, dotglob)}$`, "s");
    const next: string[] = [];
    for (const dir of paths) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      visited += names.length;
      if (visited > MAX_GLOB_ENTRIES) return undefined;
      for (const name of names) if (regex.test(name)) next.push(join(dir, name));
    }
    paths = next;
  }
  return paths;
}

/**
 * `/proc/self/cwd/…` is the command's working directory, `/proc/<pid>/root/…` is `/`, and
 * another process's cwd is not known. Returns the pattern with that alias replaced.
 */
export function procAlias(pattern: string, cwd: string): string {
  let current = pattern;
  for (let i = 0; i < 8; i++) {
    const next = procAliasOnce(current, cwd);
    if (next === current) return current;
    current = next;
  }
  return current;
}

function procAliasOnce(pattern: string, cwd: string): string {
  const match =
    /^\/proc\/(self|thread-self|\d+|[^/]*\uE000[^/]*)(?:\/task\/[^/]+)?\/(cwd|root)(\/.*)?$/s.exec(pattern);
  if (!match) return pattern;
  const rest = match[3] ?? "";
  if (match[2] === "root") return rest || "/";
  return match[1] === "self" || match[1] === "thread-self" ? `${escapePattern(cwd)}${rest}` : `${ANY}${rest}`;
}
