import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/**
 * Git reads configuration from the repository (`.git/config`, a worktree's `config.worktree`,
 * submodules' configs under `.git/modules/`), the user (`~/.gitconfig`, `~/.config/git/config`),
 * the system (`/etc/gitconfig`) and any file they `include`. Several keys there name a program
 * that even `git status`, `git diff` or `git log` runs: `core.fsmonitor`, `diff.external`,
 * textconv and filter drivers, pagers, `gpg.program`… and hooks such as `post-index-change` run
 * when the index is refreshed. A model that can write a file (file_write is Auto for Personal)
 * can plant those, so a git subcommand counts as read-only only when no configuration source
 * it would read sets one. Returns what was found (for the reason), or undefined when clean.
 */
export function gitProgramSource(options: { directory: string; userHome: string }): string | undefined {
  const files: string[] = [];
  const repo = findGitDir(options.directory);
  const hookDirs: string[] = [];
  if (repo) {
    files.push(join(repo.common, "config"), join(repo.gitDir, "config.worktree"));
    files.push(...submoduleConfigs(join(repo.common, "modules")));
    for (const sub of embeddedSubmodules(repo)) {
      files.push(join(sub.common, "config"), join(sub.gitDir, "config.worktree"));
      hookDirs.push(join(sub.common, "hooks"));
    }
  }
  const xdg = process.env.XDG_CONFIG_HOME || join(options.userHome, ".config");
  files.push(join(xdg, "git", "config"), join(options.userHome, ".gitconfig"), "/etc/gitconfig");
  const seen = new Set<string>();
  let hooksPath: string | undefined;
  let partialClone = false;
  let network: string | undefined;
  let showSignature = false;
  let signature: string | undefined;
  const pending = files.map((file) => ({ file, depth: 0 }));
  while (pending.length > 0) {
    const { file, depth } = pending.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      return `${file} cannot be read`;
    }
    const entries = configEntries(text);
    if (!entries) return `${file} has lines git may read differently`;
    for (const { key, value } of entries) {
      if (key === "include.path" || /^includeif\..*\.path$/.test(key)) {
        if (depth >= 5 || seen.size > 40) return `${file} includes too many files`;
        pending.push({ file: includeTarget(value, file, options.userHome), depth: depth + 1 });
      } else if (key === "core.hookspath") hooksPath = value;
      else if (runsProgram(key, value)) return `${key} in ${file}`;
      else if (fetchProgram(key, value)) network ??= `${key} in ${file}`;
      else if (signatureProgram(key)) signature ??= `${key} in ${file}`;
      if (key === "log.showsignature") showSignature = !/^(false|no|off|0)$/i.test(value.trim());
      if (key === "extensions.partialclone" || /^remote\..+\.promisor$/.test(key)) partialClone = true;
    }
  }
  // A partial clone fetches missing objects while reading (git log -p, blame): then the
  // programs git runs to fetch count too.
  if (partialClone && network) return network;
  if (showSignature && signature) return signature;
  if (!repo) return undefined;
  const hooks = hooksPath
    ? resolve(repo.workTree ?? repo.gitDir, hooksPath.replace(/^~(?=\/)/, options.userHome))
    : join(repo.common, "hooks");
  for (const dir of [hooks, ...hookDirs]) {
    const hook = indexHook(dir);
    if (hook) return hook;
  }
  return undefined;
}

/** Submodules listed in `.gitmodules` whose git dir sits in the submodule itself (`sub/.git/`). */
function embeddedSubmodules(repo: GitDir): GitDir[] {
  if (!repo.workTree) return [];
  let text: string;
  try {
    text = readFileSync(join(repo.workTree, ".gitmodules"), "utf8");
  } catch {
    return [];
  }
  const paths = [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gim)].map((m) => m[1]!).slice(0, 50);
  return paths.flatMap((path) => {
    const dir = resolve(repo.workTree!, path.replace(/^"(.*)"$/, "$1"));
    return gitDirAt(join(dir, ".git"), dir) ?? [];
  });
}

/** git-lfs's own filter definitions (`git lfs install`): a fixed program, nothing to inject. */
const LFS_FILTERS = new Set([
  "git-lfs clean -- %f",
  "git-lfs smudge -- %f",
  "git-lfs smudge --skip -- %f",
  "git-lfs filter-process",
  "git-lfs filter-process --skip",
]);

/**
 * Keys whose value is a program that status, diff, log, show, blame… can run. (Editors, merge
 * drivers and `add -p` filters cannot run from those; pagers need a terminal, which the shell
 * tool never has, but count anyway.)
 */
function runsProgram(key: string, value: string): boolean {
  if (key === "core.fsmonitor") return !/^(true|false|yes|no|on|off|0|1|)$/i.test(value.trim());
  if (/^filter\..+\.(clean|smudge|process)$/.test(key)) return !LFS_FILTERS.has(value.trim());
  return (
    /^core\.(pager|alternaterefscommand)$/.test(key) ||
    /^pager\./.test(key) ||
    key === "diff.external" ||
    /^diff\..+\.(command|textconv)$/.test(key)
  );
}

/** gpg programs run only when signatures are shown (`log.showSignature`, `--show-signature`). */
function signatureProgram(key: string): boolean {
  return /^gpg\.(.+\.)?program$/.test(key);
}

/** Programs git runs to fetch: `core.sshCommand`, a shell or path credential helper, upload-pack… */
function fetchProgram(key: string, value: string): boolean {
  if (/^credential\.(.+\.)?helper$/.test(key)) return /^\s*!|\//.test(value);
  return (
    /^core\.(sshcommand|gitproxy|askpass)$/.test(key) ||
    /^remote\..+\.(uploadpack|receivepack|proxy)$/.test(key) ||
    key === "uploadpack.packobjectshook"
  );
}

/** Hooks that a read-only subcommand can set off (refreshing the index, updating refs). */
function indexHook(hooksDir: string): string | undefined {
  for (const name of ["post-index-change", "reference-transaction"]) {
    const path = join(hooksDir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return `the ${name} hook in ${hooksDir}`;
    } catch {
      // absent or not executable
    }
  }
  return undefined;
}

/** `key = value` entries with the key as `section.subsection.name` (section and name lower-cased). */
export function configEntries(text: string): { key: string; value: string }[] | undefined {
  const out: { key: string; value: string }[] = [];
  let section = "";
  let continued = false;
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const line = raw.trim();
    // A value continued with a trailing backslash: the next line is value, not a key.
    const wasContinued = continued;
    continued = /(^|[^\\])(\\\\)*\\$/.test(line);
    if (wasContinued) continue;
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*([^\]\s"]+)\s*(?:"((?:[^"\\]|\\.)*)")?\s*\](.*)$/.exec(line);
    let rest = line;
    if (header) {
      const [name, ...dotted] = header[1]!.split(".");
      const sub = header[2] ?? (dotted.length > 0 ? dotted.join(".") : undefined);
      section = sub === undefined ? name!.toLowerCase() : `${name!.toLowerCase()}.${sub}`;
      rest = header[3]!.trim();
      if (rest === "" || rest.startsWith("#") || rest.startsWith(";")) continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(rest);
    if (!entry) return undefined; // fail closed: git may see a key here that we do not
    const value = (entry[2] ?? "").replace(/^"(.*)"$/, "$1");
    out.push({ key: `${section}.${entry[1]!.toLowerCase()}`, value });
  }
  return out;
}

function includeTarget(value: string, from: string, userHome: string): string {
  const path = value.trim().replace(/^"(.*)"$/, "$1");
  if (path.startsWith("~/")) return join(userHome, path.slice(2));
  return isAbsolute(path) ? path : resolve(dirname(from), path);
}

type GitDir = { gitDir: string; common: string; workTree?: string };

/** Git's discovery: the nearest `.git` (directory or `gitdir:` file), or a directory that is itself a git dir. */
export function findGitDir(start: string): GitDir | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    const found = gitDirAt(dotGit, dir) ?? (looksLikeGitDir(dir) ? withCommon(dir) : undefined);
    if (found) return found;
    if (dir === dirname(dir)) return undefined;
  }
}

function gitDirAt(dotGit: string, workTree: string): GitDir | undefined {
  try {
    const info = statSync(dotGit);
    if (info.isDirectory()) return { ...withCommon(dotGit), workTree };
    const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"));
    if (pointer) return { ...withCommon(resolve(workTree, pointer[1]!.trim())), workTree };
  } catch {
    // not here
  }
  return undefined;
}

function withCommon(gitDir: string): GitDir {
  try {
    const common = readFileSync(join(gitDir, "commondir"), "utf8").trim();
    return { gitDir, common: resolve(gitDir, common) };
  } catch {
    return { gitDir, common: gitDir };
  }
}

function looksLikeGitDir(dir: string): boolean {
  return existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects")) && existsSync(join(dir, "refs"));
}

/** `config` files of submodules (`.git/modules/<name>/…`, names may hold slashes), which `git status` also reads. */
function submoduleConfigs(modules: string): string[] {
  const out: string[] = [];
  const queue = [{ dir: modules, depth: 0 }];
  while (queue.length > 0 && out.length < 200) {
    const { dir, depth } = queue.shift()!;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name === "config" && entry.isFile()) out.push(join(dir, entry.name));
      else if (entry.isDirectory() && depth < 8 && !SKIP_IN_MODULES.has(entry.name))
        queue.push({ dir: join(dir, entry.name), depth: depth + 1 });
    }
  }
  return out;
}

const SKIP_IN_MODULES = new Set(["objects", "refs", "logs", "info", "hooks"]);
