import { type Dirent, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { type PathAccessKind, type PathGuard, type ResolvedPath, resolvePath } from "./protected-paths.ts";
import { EXEMPT_VERBS } from "./read-only-verbs.ts";
import type { CommandInfo } from "./shell-commands.ts";
import { ANY, escapePattern, type Word } from "./shell-parse.ts";
import { walkOf } from "./walkers.ts";
import {
  expandBraces,
  expandOnDisk,
  hasWildcards,
  isOnlyUnknown,
  procAlias,
  unescapePattern,
} from "./word-patterns.ts";

/** Programs whose path arguments are written to (moved, removed, created, changed). */
const WRITERS = new Set([
  "tee",
  "cp",
  "mv",
  "install",
  "ln",
  "touch",
  "rm",
  "rmdir",
  "mkdir",
  "chmod",
  "chown",
  "chgrp",
  "truncate",
  "dd",
  "sed",
  "rsync",
  "shred",
  "unlink",
  "tar",
  "unzip",
  "patch",
  "sqlite3",
  "git",
  "scp",
]);
const WRITE_REDIRECTS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);
const MAX_PATH_CHECKS = 256;
const MAX_LINK_SCAN = 5000;

/** One word to judge: `walk` for the root of a tree walk, `quiet` when an unknown value does not matter (echo's words). */
type Check = {
  word: Word;
  access: PathAccessKind;
  walk: boolean;
  follows: boolean;
  quiet: boolean;
  maxDepth?: number;
};

export type PathVerdict =
  | { ok: false; reason: "protected_path"; label: string; word: string; walk: boolean }
  | { ok: false; reason: "too_complex" }
  | {
      ok: true;
      /** A word that may name any path after expansion (`$f`, `$(…)`, `~user`, a huge glob). */
      unverifiable: string[];
    };

/**
 * Judges every path a command line names after every expansion the shell would do: braces are
 * expanded, globs matched against the protected paths and expanded on disk (symlinks resolved),
 * unknown parts matched as "anything", and tree walks refused when their root contains a
 * protected path. Relative words are tried against every directory the line may `cd` into.
 */
export async function checkCommandPaths(options: {
  commands: CommandInfo[];
  bases: string[];
  cwd: string;
  guard: PathGuard;
}): Promise<PathVerdict> {
  const checks = collectChecks(options.commands);
  if (checks.length * options.bases.length > MAX_PATH_CHECKS) return { ok: false, reason: "too_complex" };
  const unverifiable: string[] = [];
  // bash's `*` skips dot files (~/.netclaw) unless dotglob is on, or GLOBIGNORE is set.
  const dotglob =
    process.env.BASHOPTS?.includes("dotglob") === true ||
    options.commands.some(
      (c) => c.assigns.includes("GLOBIGNORE") || c.argv.some((w) => /dotglob|GLOBIGNORE/.test(w.pattern)),
    );
  for (const check of checks) {
    const verdict = await judgeWord({ ...options, check, unverifiable, dotglob });
    if (verdict) return verdict;
  }
  return { ok: true, unverifiable };
}

function isFdDuplication(redirect: { op: string; target?: Word }): boolean {
  const target = redirect.target;
  return redirect.op === ">&" && target !== undefined && !target.dynamic && /^(\d+-?|-)$/.test(target.text);
}

function collectChecks(commands: CommandInfo[]): Check[] {
  const checks: Check[] = [];
  const seenSegments = new Set<object>();
  const add = (word: Word | undefined, check: Omit<Check, "word">) => {
    if (word && word.text !== "" && word.pattern !== "") checks.push({ word, ...check });
  };
  for (const command of commands) {
    const access: PathAccessKind = WRITERS.has(command.name) ? "write" : "read";
    const quiet = EXEMPT_VERBS.has(command.name);
    for (const word of command.argv) add(word, { access, walk: false, follows: false, quiet });
    if (command.name === "ps" && printsEnvironments(command.argv.slice(1).map((w) => w.text)))
      add(PROCESS_ENVIRONMENTS, { access: "read", walk: false, follows: false, quiet: false });
    // xargs hands the command paths read from its input: none of them can be checked.
    if (!quiet && command.wrappers.some((w) => w.name === "xargs"))
      add(
        { text: "(xargs input)", pattern: ANY, dynamic: true, glob: false },
        { access, walk: false, follows: false, quiet },
      );
    const walk = walkOf(command);
    if (walk) {
      const root = {
        access: walk.access,
        follows: walk.follows,
        maxDepth: walk.maxDepth,
        walk: true,
        quiet: false,
      };
      for (const word of walk.roots) add(word, root);
      if (walk.cwd) add({ text: ".", pattern: ".", dynamic: false, glob: false }, root);
    }
    if (seenSegments.has(command.segment)) continue;
    seenSegments.add(command.segment);
    for (const word of command.segment.words)
      add(word, { access: "read", walk: false, follows: false, quiet: true });
    for (const redirect of command.segment.redirects) {
      // `>& word` duplicates a descriptor only when word is a number or `-`; else it is a file.
      if (redirect.op.startsWith("<<") || redirect.op === "<&" || isFdDuplication(redirect)) continue;
      const write = WRITE_REDIRECTS.has(redirect.op) || redirect.op === ">&";
      const devNull = redirect.target?.text === "/dev/null" && !redirect.target.dynamic;
      if (!devNull)
        add(redirect.target, { access: write ? "write" : "read", walk: false, follows: false, quiet: false });
    }
  }
  return checks;
}

/** `ps e` reads every process's /proc/<pid>/environ — the daemon's (provider keys) too. */
const PROCESS_ENVIRONMENTS: Word = {
  text: "/proc/*/environ (ps e)",
  pattern: `/proc/${ANY}/environ`,
  dynamic: true,
  glob: false,
};
const PS_VALUE_OPTIONS = new Set(["-C", "-p", "-q", "-u", "-U", "-g", "-G", "-o", "-O", "-t", "-s", "-k"]);

/** BSD-style `e` in a ps option word (`ps e`, `ps auxe`, `ps eww`), values of other options skipped. */
function printsEnvironments(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (PS_VALUE_OPTIONS.has(a) || (a.startsWith("--") && !a.includes("="))) i++;
    else if (!a.startsWith("-") && /^[a-zA-Z]+$/.test(a) && a.includes("e")) return true;
  }
  return false;
}

/**
 * The patterns a word stands for: itself, the value of an `--opt=value` / `if=value` form, and
 * the value glued to a short option (`-f/path`, `-fkeys/x`: which letters are the option is not
 * known, so every split after the first letter counts).
 */
function candidatePatterns(pattern: string): string[] {
  const out: string[] = [];
  if (!pattern.startsWith("-")) out.push(pattern);
  const eq = pattern.indexOf("=");
  if (eq > 0 && eq < pattern.length - 1) out.push(pattern.slice(eq + 1));
  if (/^-[^-]/.test(pattern) && /[/\uE000]/.test(pattern))
    for (let i = 2; i < Math.min(pattern.length, 6); i++) out.push(pattern.slice(i));
  return out;
}

async function judgeWord(options: {
  check: Check;
  dotglob: boolean;
  bases: string[];
  cwd: string;
  guard: PathGuard;
  unverifiable: string[];
}): Promise<PathVerdict | undefined> {
  const { check, guard } = options;
  const denial = (label: string): PathVerdict => ({
    ok: false,
    reason: "protected_path",
    label,
    word: check.word.text,
    walk: check.walk,
  });
  const unknown = () => {
    if (!check.quiet) options.unverifiable.push(check.word.text);
  };
  for (const candidate of candidatePatterns(check.word.pattern)) {
    const alternatives = expandBraces(candidate);
    if (!alternatives) return { ok: false, reason: "too_complex" };
    for (const alternative of alternatives) {
      const absolute = alternative.startsWith("/") || alternative.startsWith(ANY);
      // /proc/self/cwd is wherever the command runs: every base, like a relative word.
      const everyBase = !absolute || alternative.startsWith("/proc/");
      for (const base of everyBase ? options.bases : [options.cwd]) {
        const pattern = procAlias(absolute ? alternative : `${escapePattern(base)}/${alternative}`, base);
        if (!hasWildcards(pattern)) {
          const label = await judgePath({
            guard,
            check,
            path: await resolvePath(base, unescapePattern(pattern)),
            unknown,
          });
          if (label) return denial(label);
          continue;
        }
        if (isOnlyUnknown(pattern)) {
          unknown();
          continue;
        }
        const touched = guard.patternTouches(pattern, {
          access: check.access,
          walk: check.walk ? check : undefined,
          dotglob: options.dotglob,
        });
        if (touched) return denial(touched);
        const matches = pattern.includes(ANY) ? undefined : expandOnDisk(pattern, options.dotglob);
        if (!matches) unknown();
        for (const match of matches ?? []) {
          const label = await judgePath({ guard, check, path: await resolvePath(base, match), unknown });
          if (label) return denial(label);
        }
      }
    }
  }
  return undefined;
}

async function judgePath(options: {
  guard: PathGuard;
  check: Check;
  path: ResolvedPath;
  unknown: () => void;
}): Promise<string | undefined> {
  const { guard, check, path } = options;
  const direct = await guard.check(path, check.access);
  if (direct || !check.walk) return direct;
  const contained = guard.containedIn(path, check.access, check.maxDepth);
  if (contained || !check.follows) return contained;
  const scan = linkIntoProtected(path.real, guard, check.access);
  if (scan === "too_big") options.unknown();
  return scan === "too_big" ? undefined : scan;
}

/**
 * A walk that follows symbolic links reaches wherever a link in its tree points: the first link
 * (bounded walk) whose target is or contains a protected path, "too_big" when the tree is too
 * large to look through.
 */
function linkIntoProtected(root: string, guard: PathGuard, access: PathAccessKind): string | undefined {
  const queue = [root];
  let seen = 0;
  while (queue.length > 0) {
    const dir = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    seen += entries.length;
    if (seen > MAX_LINK_SCAN) return "too_big";
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) queue.push(full);
      if (!entry.isSymbolicLink()) continue;
      let real: string;
      try {
        real = realpathSync.native(full);
      } catch {
        continue;
      }
      const label = guard.labelOf(real, access) ?? guard.containedIn({ lexical: real, real }, access);
      if (label) return `a link into ${label}`;
    }
  }
  return undefined;
}
