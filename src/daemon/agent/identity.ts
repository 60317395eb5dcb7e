import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const IDENTITY_FILES = ["SOUL.md", "AGENTS.md", "TOOLING.md"] as const;
export type IdentityFile = (typeof IDENTITY_FILES)[number];

/** What a fresh home gets; users edit these files, netclaw never overwrites them. */
export const DEFAULT_IDENTITY: Record<IdentityFile, string> = {
  "SOUL.md": `# Soul

You are netclaw, a self-hosted operations agent running on your owner's own machine.
Be direct, calm and precise. Prefer short answers; give detail when it is asked for or when a
mistake would be costly. Say plainly when you do not know something or could not check it.
`,
  "AGENTS.md": `# Agents

## Mission
Help the owner run and understand their systems: answer questions, investigate problems, and carry
out operational tasks safely.

## Working rules
- Explain what you are about to change before changing it; prefer reversible steps.
- When a task is ambiguous, ask one focused question instead of guessing.
- Report what you did and what you verified, and name anything left undone.

This file is visible to every audience and inherited by sub-agents: never put secrets here.
`,
  "TOOLING.md": `# Tooling

Describe this host's environment here: operating system, services, where logs live, which
commands are safe to run. netclaw reads this file at the start of every turn.
`,
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
