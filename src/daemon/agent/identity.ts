import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_AGENTS, DEFAULT_SOUL, DEFAULT_TOOLING } from "../../config/identity.ts";

export const IDENTITY_FILES = ["SOUL.md", "AGENTS.md", "TOOLING.md"] as const;
export type IdentityFile = (typeof IDENTITY_FILES)[number];

/** What a fresh home gets (the same texts `netclaw init` starts from); never overwritten. */
export const DEFAULT_IDENTITY: Record<IdentityFile, string> = {
  "SOUL.md": DEFAULT_SOUL,
  "AGENTS.md": DEFAULT_AGENTS,
  "TOOLING.md": DEFAULT_TOOLING,
};

export type IdentitySource = {
  /** The current text of each identity file (re-read on every call; a missing file reads as ""). */
  read(): Record<IdentityFile, string>;
};

/**
 * Creates each missing identity file with its default text. An existing file — even an empty
 * one — is never touched (the write uses the exclusive `wx` flag, so a file created concurrently
 * wins too). Returns the names it created.
 */
export function seedIdentityFiles(dir: string): IdentityFile[] {
  const created: IdentityFile[] = [];
  for (const name of IDENTITY_FILES) {
    try {
      writeFileSync(join(dir, name), DEFAULT_IDENTITY[name], { flag: "wx", mode: 0o644 });
      created.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return created;
}

/** Reads the identity files from `dir` on every `read()`, so edits apply from the next turn. */
export function createIdentitySource(dir: string): IdentitySource {
  return {
    read() {
      const result = {} as Record<IdentityFile, string>;
      for (const name of IDENTITY_FILES) {
        try {
          result[name] = readFileSync(join(dir, name), "utf8");
        } catch {
          result[name] = "";
        }
      }
      return result;
    },
  };
}
