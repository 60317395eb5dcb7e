import { type Dirent, readdirSync, realpathSync, type Stats, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { HomePaths } from "../../../config/home.ts";
import { normalizeDotDot, patternRegex } from "./word-patterns.ts";

export type PathAccessKind = "read" | "write";

/** Where a path really points: the lexical absolute path and the path with every symlink resolved. */
export type ResolvedPath = { lexical: string; real: string };

type Rule = { path: string; dir: boolean; label: string };

/**
 * The home's protected paths (reference/security.md §5), checked against both the lexical path
 * and the real one (symlinks resolved), so a link planted inside an allowed root that points at
 * `keys/` or `secrets.json` is caught. Hard links to the secret files are caught by inode.
 */
export function createPathGuard(home: HomePaths, options: { daemonPid?: number } = {}) {
  const rootReal = safeRealpath(home.root);
  const variants = (path: string) => [...new Set([path, join(rootReal, path.slice(home.root.length))])];
  const rules = (entries: [string, boolean, string][]): Rule[] =>
    entries.flatMap(([path, dir, label]) => variants(path).map((p) => ({ path: p, dir, label })));
  const readRules = rules([
    [home.secretsFile, false, "config/secrets.json"],
    [home.devicesFile, false, "config/devices.json"],
    [home.webhooksDir, true, "config/webhooks/"],
    [home.keysDir, true, "keys/"],
    // copies of the above: init's archived setups, doctor's and restore's safety copies
    [home.backupsDir, true, "backups/"],
  ]);
  // The daemon's own /proc entry holds its environment (provider keys given as NETCLAW_* variables)
  // and memory; /proc/self resolves there for the file tools.
  if (options.daemonPid !== undefined)
    readRules.push({ path: `/proc/${options.daemonPid}`, dir: true, label: "the daemon's /proc entry" });
  const writeRules = rules([
    [home.configDir, true, "config/"],
    [home.keysDir, true, "keys/"],
    [home.database, false, "the database"],
    [`${home.database}-wal`, false, "the database"],
    [`${home.database}-shm`, false, "the database"],
    [`${home.database}-journal`, false, "the database"],
    [home.pidFile, false, "the pid file"],
    [home.lockFile, false, "the lock file"],
    [home.logsDir, true, "logs/"],
  ]);
  const secretFiles = [home.secretsFile, home.devicesFile, home.secretsKey, home.localControlKey];

  const match = (path: string, access: PathAccessKind): Rule | undefined => {
    const list = access === "read" ? readRules : [...readRules, ...writeRules];
    return list.find((rule) => path === rule.path || (rule.dir && path.startsWith(`${rule.path}/`)));
  };

  return {
    /** Returns the protected area `path` falls in (a label such as `keys/`), or undefined. */
    async check(path: ResolvedPath, access: PathAccessKind): Promise<string | undefined> {
      const hit = match(path.lexical, access) ?? match(path.real, access);
      if (hit) return hit.label;
      return (await sameInodeAsSecret(path.real, secretFiles))
        ? "a hard link to a protected file"
        : undefined;
    },
    /** Synchronous, lexical-only check for real paths met while walking a tree (file_search). */
    isProtected(realPath: string, access: PathAccessKind): boolean {
      return match(realPath, access) !== undefined;
    },
    /** The label of the protected area a real path falls in (lexical only, synchronous). */
    labelOf(realPath: string, access: PathAccessKind): string | undefined {
      return match(realPath, access)?.label;
    },
    /**
     * Whether an absolute word pattern (see word-patterns.ts) could name a protected path —
     * or, for a tree walk (`walk`), a directory that contains one.
     */
    patternTouches(
      pattern: string,
      options: { access: PathAccessKind; walk?: { maxDepth?: number }; dotglob: boolean },
    ): string | undefined {
      const { access, walk } = options;
      const regex = patternRegex(normalizeDotDot(pattern), options.dotglob);
      const list = access === "read" ? readRules : [...readRules, ...writeRules];
      const hit = list.find(
        (rule) =>
          sampleTargets(rule, pattern, access).some((target) => regex.test(target)) ||
          (walk !== undefined &&
            ancestors(rule.path).some(
              (dir, depth) => reaches(rule, depth, walk.maxDepth) && regex.test(dir),
            )),
      );
      return hit?.label;
    },
    /** For a tree walk rooted at `path` (`maxDepth` levels deep when bounded): the first protected area it reaches. */
    containedIn(path: ResolvedPath, access: PathAccessKind, maxDepth?: number): string | undefined {
      const list = access === "read" ? readRules : [...readRules, ...writeRules];
      return list.find((rule) =>
        [path.lexical, path.real].some(
          (root) => isWithin(rule.path, root) && reaches(rule, depthBelow(rule.path, root), maxDepth),
        ),
      )?.label;
    },
  };
}

/**
 * Concrete paths to try a pattern on for one rule: the protected path itself, and for a
 * directory what is in it now — plus, for a write, names built from the pattern's last
 * components (a file that does not exist yet cannot be read, but it can be created).
 */
function sampleTargets(rule: Rule, pattern: string, access: PathAccessKind): string[] {
  const targets = [rule.path];
  if (!rule.dir) return targets;
  // A process's /proc entry always has every name: sample from the pattern, never list it
  // (its root/ and cwd/ links lead into the whole file system).
  const proc = rule.path.startsWith("/proc/");
  if (access === "read" && !proc) return [...targets, ...listBounded(rule.path, 200)];
  const parts = pattern.split("/");
  for (let k = 1; k <= Math.min(3, parts.length); k++) {
    const sample = parts
      .slice(-k)
      .join("/")
      .replace(/\\(.)/gs, "$1")
      .replace(/[*\uE000]/g, "")
      .replace(/\[[^\]]*\]|\?/g, "x");
    targets.push(`${rule.path}/${sample}`);
  }
  return targets;
}

/** What is under a (small) protected directory now, breadth first, links not followed. */
function listBounded(dir: string, limit: number): string[] {
  const out: string[] = [];
  const queue = [dir];
  while (queue.length > 0 && out.length < limit) {
    let entries: Dirent[];
    try {
      entries = readdirSync(queue.shift()!, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries.slice(0, limit)) {
      const full = join(entry.parentPath, entry.name);
      out.push(full);
      if (entry.isDirectory()) queue.push(full);
    }
  }
  return out;
}

/** Whether a walk `maxDepth` levels deep reaches a rule `depth` levels below its root (a directory's files are one deeper). */
function reaches(rule: Rule, depth: number, maxDepth: number | undefined): boolean {
  return maxDepth === undefined || depth + (rule.dir ? 1 : 0) <= maxDepth;
}

function depthBelow(path: string, root: string): number {
  return path === root
    ? 0
    : path
        .slice(root.length)
        .split("/")
        .filter((p) => p !== "").length;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    out.push(dir);
    if (dir === dirname(dir)) return out;
  }
}

export type PathGuard = ReturnType<typeof createPathGuard>;

/**
 * Resolves `path` against `base` and follows symlinks as the kernel does (synchronous native realpath: a few
 * microseconds, cheaper than a thread-pool round trip per word of a command). A path that does not exist yet resolves
 * through its nearest existing ancestor, so writing `link/new.txt` where `link` points into
 * `config/` is still recognised.
 */
export async function resolvePath(base: string, path: string): Promise<ResolvedPath> {
  const lexical = resolve(base, path);
  // Not normalised: the kernel resolves `link/..` to the parent of the link's target, not to
  // the directory holding the link, so `..` must reach realpath untouched.
  let current = path.startsWith("/") ? path : `${base}/${path}`;
  const rest: string[] = [];
  for (let i = 0; i < 64; i++) {
    try {
      const real = realpathSync.native(current);
      return { lexical, real: rest.length > 0 ? join(real, ...rest.reverse()) : real };
    } catch {
      const parent = dirname(current);
      if (parent === current) break;
      rest.push(basename(current));
      current = parent;
    }
  }
  return { lexical, real: lexical };
}

export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

async function sameInodeAsSecret(real: string, secrets: string[]): Promise<boolean> {
  let target: Stats;
  try {
    target = statSync(real);
  } catch {
    return false;
  }
  if (!target.isFile() || target.nlink < 2) return false;
  for (const secret of secrets) {
    try {
      const info = statSync(secret);
      if (info.ino === target.ino && info.dev === target.dev) return true;
    } catch {
      // not there
    }
  }
  return false;
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
