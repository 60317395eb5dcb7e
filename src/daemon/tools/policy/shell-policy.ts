import { resolve } from "node:path";
import { denied, type ToolDecision } from "./decisions.ts";
import type { HardDenyMatch } from "./hard-deny.ts";
import { type PathAccessKind, type PathGuard, resolvePath } from "./protected-paths.ts";
import { isCoveredWithoutGrant } from "./read-only-verbs.ts";
import { analyzeCommandLine, type CommandInfo } from "./shell-commands.ts";
import type { Word } from "./shell-parse.ts";

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

export type ShellAnalysis =
  | {
      ok: true;
      commands: CommandInfo[];
      parseErrors: string[];
      /** A `cd` to a directory not known statically: later relative paths could not be checked. */
      unverifiable: boolean;
    }
  | { ok: false; reason: "hard_deny"; match: HardDenyMatch }
  | { ok: false; reason: "protected_path"; label: string; word: string }
  | { ok: false; reason: "too_complex" };

/**
 * The static half of shell authorization: parse, hard-deny every part, and refuse any word or
 * redirection target that names a protected path (symlinks resolved, globs matched). What it
 * returns on success is the list of commands the coverage step must find grants for.
 */
export async function analyzeShellCommand(options: {
  command: string;
  cwd: string;
  vars: Record<string, string | undefined>;
  guard: PathGuard;
  hardDeny: (commandLine: string, commands: CommandInfo[]) => HardDenyMatch | undefined;
}): Promise<ShellAnalysis> {
  const { commands, errors } = analyzeCommandLine(options.command, { vars: options.vars });
  const match = options.hardDeny(options.command, commands);
  if (match) return { ok: false, reason: "hard_deny", match };
  // Relative words are checked against the starting directory and every static `cd` target,
  // so `cd ~/.netclaw/config; cat secrets.json` is recognised.
  const bases = [options.cwd];
  let unverifiable = false;
  for (const command of commands) {
    if (command.name !== "cd" && command.name !== "pushd") continue;
    const target = command.argv.slice(1).find((w) => !w.text.startsWith("-"));
    if (!target) bases.push(options.vars.HOME ?? options.cwd);
    else if (target.dynamic) unverifiable = true;
    else for (const base of [...bases]) bases.push(resolve(base, target.text));
  }
  const checks = new Map<string, { word: Word; access: PathAccessKind }>();
  const seenSegments = new Set<object>();
  const add = (word: Word | undefined, access: PathAccessKind) => {
    if (!word || word.text === "") return;
    for (const text of candidateTexts(word.text)) {
      const key = `${access}\0${text}`;
      if (!checks.has(key)) checks.set(key, { word: { ...word, text }, access });
    }
  };
  for (const command of commands) {
    const access: PathAccessKind = WRITERS.has(command.name) ? "write" : "read";
    for (const word of command.argv) add(word, access);
    if (command.argv.length === 0) for (const word of command.segment.words) add(word, "read");
    if (seenSegments.has(command.segment)) continue;
    seenSegments.add(command.segment);
    for (const word of command.segment.words) add(word, "read");
    for (const redirect of command.segment.redirects) {
      if (redirect.op === ">&" || redirect.op === "<&" || redirect.op.startsWith("<<")) continue;
      add(redirect.target, WRITE_REDIRECTS.has(redirect.op) ? "write" : "read");
    }
  }
  if (checks.size * bases.length > MAX_PATH_CHECKS) return { ok: false, reason: "too_complex" };
  for (const { word, access } of checks.values()) {
    if (word.dynamic && !word.text.startsWith("/")) continue; // unknown: coverage treats the command as dynamic
    for (const base of word.text.startsWith("/") ? [options.cwd] : bases) {
      const label = word.glob
        ? options.guard.globTouches(resolve(base, word.text), access)
        : await options.guard.check(await resolvePath(base, word.text), access);
      if (label) return { ok: false, reason: "protected_path", label, word: word.text };
    }
  }
  return { ok: true, commands, parseErrors: errors, unverifiable };
}

/** The path-like texts of a word: itself, and the value of `--opt=value` / `if=value` forms. */
function candidateTexts(text: string): string[] {
  if (text.startsWith("-") && !text.includes("=")) return [];
  const out: string[] = [];
  if (!text.startsWith("-")) out.push(text);
  const eq = text.indexOf("=");
  if (eq > 0 && eq < text.length - 1) out.push(text.slice(eq + 1));
  return out;
}

export type ShellCallCheck =
  | { ok: false; decision: ToolDecision }
  | { ok: true; directory: string; verbs: string[]; unsafe: boolean; forcePrompt: boolean };

/**
 * Static checks of one shell_execute call: the working directory, hard deny and protected paths
 * (a denial), else the verbs the coverage step must find grants for. `unsafe` (code handed to an
 * interpreter, a dynamic program, unparseable input) limits the answers to once/deny;
 * `forcePrompt` (a dynamic `cd`) prompts even under Auto.
 */
export async function checkShellCall(options: {
  args: Record<string, unknown>;
  workingDirectory: string;
  vars: Record<string, string | undefined>;
  guard: PathGuard;
  hardDeny: (commandLine: string, commands: CommandInfo[]) => HardDenyMatch | undefined;
}): Promise<ShellCallCheck> {
  const { guard } = options;
  const cwdArg = typeof options.args.WorkingDirectory === "string" ? options.args.WorkingDirectory : ".";
  const directory = (await resolvePath(options.workingDirectory, cwdArg)).real;
  const cwdProtected = await guard.check({ lexical: directory, real: directory }, "read");
  if (cwdProtected) {
    return {
      ok: false,
      decision: denied(
        "protected_path",
        `Tool access denied: shell_execute cannot run inside ${cwdProtected}, a protected path.`,
      ),
    };
  }
  const analysis = await analyzeShellCommand({
    command: String(options.args.Command),
    cwd: directory,
    vars: options.vars,
    guard,
    hardDeny: options.hardDeny,
  });
  if (!analysis.ok) {
    if (analysis.reason === "hard_deny") {
      const text = `Tool access denied: this command is never allowed (${analysis.match.rule}): ${analysis.match.command.slice(0, 200)}`;
      return { ok: false, decision: denied("hard_deny", text) };
    }
    if (analysis.reason === "protected_path") {
      const text = `Tool access denied: the command touches ${analysis.label} (${analysis.word.slice(0, 200)}), a protected path.`;
      return { ok: false, decision: denied("protected_path", text) };
    }
    const text =
      "Tool access denied: the command names too many paths to check; split it into smaller commands.";
    return { ok: false, decision: denied("command_too_complex", text) };
  }
  if (analysis.parseErrors.some((e) => e.includes("nested too deep") || e.includes("nesting too deep"))) {
    const text = "Tool access denied: the command nests substitutions too deeply to be checked; simplify it.";
    return { ok: false, decision: denied("command_too_complex", text) };
  }
  // Input we could not fully read is never treated as understood: it always prompts, once only.
  const unreadable = analysis.parseErrors.length > 0;
  let unsafe = unreadable || analysis.unverifiable;
  const verbs: string[] = [];
  for (const command of analysis.commands) {
    if (command.name === "" || isCoveredWithoutGrant(command)) continue;
    if (command.code || command.argv[0]?.dynamic) unsafe = true;
    verbs.push(command.argv[0]?.dynamic ? "(dynamic command)" : command.verb);
  }
  const forcePrompt = unreadable || analysis.unverifiable;
  if (forcePrompt && verbs.length === 0) verbs.push(unreadable ? "(unparsed command)" : "(dynamic cd)");
  return { ok: true, directory, verbs, unsafe, forcePrompt };
}
