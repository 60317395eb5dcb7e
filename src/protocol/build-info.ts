import { readFileSync } from "node:fs";
import { join } from "node:path";

export type BuildInfo = { version: string; commit: string; builtAt: string | undefined };

let cached: BuildInfo | undefined;

/**
 * Version and commit of this build. A packed build carries `dist/build-info.json` (written by
 * scripts/build.ts); a source checkout reads package.json and the git HEAD directly, without
 * spawning git, so `--version` stays fast.
 */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = join(import.meta.dirname, "..", "..");
  const packed = readJson(join(import.meta.dirname, "..", "build-info.json"));
  if (packed && typeof packed.version === "string") {
    cached = {
      version: packed.version,
      commit: String(packed.commit ?? "unknown"),
      builtAt: packed.builtAt as string,
    };
    return cached;
  }
  const pkg = readJson(join(root, "package.json"));
  cached = {
    version: String(pkg?.version ?? "0.0.0"),
    commit: gitHead(root) ?? "unknown",
    builtAt: undefined,
  };
  return cached;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Short commit hash from .git without running git; undefined outside a checkout. */
export function gitHead(root: string): string | undefined {
  try {
    let gitDir = join(root, ".git");
    try {
      const dotGit = readFileSync(gitDir, "utf8"); // a worktree's .git is a file: "gitdir: …"
      if (dotGit.startsWith("gitdir:")) gitDir = dotGit.slice(7).trim();
    } catch {
      // a directory
    }
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 7);
    const ref = head.slice(5);
    const commonDir = readCommonDir(gitDir);
    for (const dir of [gitDir, commonDir]) {
      try {
        return readFileSync(join(dir, ref), "utf8").trim().slice(0, 7);
      } catch {
        // try packed-refs next
      }
    }
    const packed = readFileSync(join(commonDir, "packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line?.slice(0, 7);
  } catch {
    return undefined;
  }
}

function readCommonDir(gitDir: string): string {
  try {
    const common = readFileSync(join(gitDir, "commondir"), "utf8").trim();
    return join(gitDir, common);
  } catch {
    return gitDir;
  }
}
