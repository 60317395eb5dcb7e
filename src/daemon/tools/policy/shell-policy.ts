import { denied, type ToolDecision } from "./decisions.ts";
import type { HardDenyMatch } from "./hard-deny.ts";
import { type PathGuard, resolvePath } from "./protected-paths.ts";
import { isCoveredWithoutGrant, lineChangesEnvironment } from "./read-only-verbs.ts";
import { analyzeCommandLine, type CommandInfo } from "./shell-commands.ts";
import type { Word } from "./shell-parse.ts";
import { checkCommandPaths } from "./shell-paths.ts";

export type ShellAnalysis =
  | {
      ok: true;
      commands: CommandInfo[];
      parseErrors: string[];
      /**
       * A `cd` to a directory not known statically, or a word that may name any path after
       * expansion (`cat $f`): what the command reads could not be checked.
       */
      unverifiable: boolean;
      /** Every directory the commands may run in: the starting one and each static `cd` target. */
      directories: string[];
    }
  | { ok: false; reason: "hard_deny"; match: HardDenyMatch }
  | { ok: false; reason: "protected_path"; label: string; word: string; walk: boolean }
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
  const vars = knownVars(options.command, options.vars);
  const { commands, errors } = analyzeCommandLine(options.command, { vars });
  const match = options.hardDeny(options.command, commands);
  if (match) return { ok: false, reason: "hard_deny", match };
  const { bases, unverifiable: cdUnknown } = await workingDirectories({
    commands,
    cwd: options.cwd,
    vars,
    line: options.command,
  });
  let unverifiable = cdUnknown;
  const paths = await checkCommandPaths({ commands, bases, cwd: options.cwd, guard: options.guard });
  if (!paths.ok) return paths;
  if (paths.unverifiable.length > 0) unverifiable = true;
  return { ok: true, commands, parseErrors: errors, unverifiable, directories: [...new Set(bases)] };
}

/**
 * Relative words are checked against the starting directory and every static `cd` target, so
 * `cd ~/.netclaw/config; cat secrets.json` is recognised. `cd -` (to $OLDPWD), a dynamic target,
 * or a bare name while the line mentions CDPATH make the directory unknown.
 */
async function workingDirectories(options: {
  commands: CommandInfo[];
  cwd: string;
  vars: Record<string, string | undefined>;
  line: string;
}): Promise<{ bases: string[]; unverifiable: boolean }> {
  const bases = [options.cwd];
  let unverifiable = false;
  const enter = async (target: Word) => {
    if (target.dynamic) unverifiable = true;
    else
      for (const base of [...bases]) {
        const resolved = await resolvePath(base, target.text);
        bases.push(...new Set([resolved.lexical, resolved.real]));
      }
  };
  for (const command of options.commands) {
    // `git -C dir`, `env -C dir` (and --chdir, --work-tree, --git-dir) run the command elsewhere.
    for (const target of chdirTargets(command)) await enter(target);
    if (command.name !== "cd" && command.name !== "pushd") continue;
    const target = command.argv.slice(1).find((w) => !w.text.startsWith("-") || w.text === "-");
    if (target && /^[+-]\d+$/.test(target.text)) continue; // pushd +N: a directory already on the stack
    const cdpath = target !== undefined && /CDPATH/.test(options.line) && !/^\.{0,2}\//.test(target.text);
    if (!target && options.vars.HOME) bases.push(options.vars.HOME);
    else if (!target || target.text === "-" || cdpath) unverifiable = true;
    else await enter(target);
  }
  return { bases, unverifiable };
}

/** Directories a command runs in instead of the current one: `git -C`, `env -C`, `--work-tree=`. */
function chdirTargets(command: CommandInfo): Word[] {
  const out: Word[] = [];
  const scan = (words: Word[], flags: RegExp) => {
    for (let i = 0; i < words.length; i++) {
      const text = words[i]!.text;
      const eq = /^(--[a-z-]+)=/.exec(text);
      if (eq && flags.test(eq[1]!))
        out.push({
          ...words[i]!,
          text: text.slice(eq[0].length),
          pattern: words[i]!.pattern.slice(eq[0].length),
        });
      else if (flags.test(text) && words[i + 1]) out.push(words[++i]!);
    }
  };
  if (command.name === "git") scan(command.argv.slice(1), /^(-C|--work-tree|--git-dir)$/);
  for (const wrapper of command.wrappers) if (wrapper.name === "env") scan(wrapper.flags, /^(-C|--chdir)$/);
  return out;
}

/**
 * The variables the parser may expand (HOME, NETCLAW_HOME, PPID) — minus any the command line
 * could set itself (`HOME=<home>/keys; cat ~/secrets.key`, `read HOME`, `for HOME in …`): those
 * become unknown, so a path built from them is judged as "could be anything".
 */
function knownVars(
  command: string,
  vars: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (/\bIFS\b/.test(command)) return out; // splitting changes: no expansion is certain
  for (const [name, value] of Object.entries(vars)) {
    const mentioned = new RegExp(`(^|[^$\\w{])${name}(?!\\w)`).test(command);
    if (!mentioned) out[name] = value;
  }
  return out;
}

export type ShellCallCheck =
  | { ok: false; decision: ToolDecision }
  | { ok: true; directory: string; verbs: string[]; unsafe: boolean; forcePrompt: boolean };

/**
 * Static checks of one shell_execute call: the working directory, hard deny and protected paths
 * (a denial), else the verbs the coverage step must find grants for. `unsafe` (code handed to an
 * interpreter, a dynamic program, unparseable input) limits the answers to once/deny;
 * `forcePrompt` (a dynamic `cd`, a word that may name any path) prompts even under Auto.
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
      const text = analysis.walk
        ? `Tool access denied: the command walks ${analysis.word.slice(0, 200)}, which holds ${analysis.label}, a protected path; name a directory that does not contain it.`
        : `Tool access denied: the command touches ${analysis.label} (${analysis.word.slice(0, 200)}), a protected path.`;
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
  const context = {
    directories: analysis.directories,
    userHome: options.vars.HOME ?? directory,
    lineChanges: lineChangesEnvironment(analysis.commands),
  };
  for (const command of analysis.commands) {
    if (command.name === "" || isCoveredWithoutGrant(command, context)) continue;
    if (command.code || command.argv[0]?.dynamic) unsafe = true;
    verbs.push(command.argv[0]?.dynamic ? "(dynamic command)" : command.verb);
  }
  const forcePrompt = unreadable || analysis.unverifiable;
  if (forcePrompt && verbs.length === 0)
    verbs.push(unreadable ? "(unparsed command)" : "(path not known before it runs)");
  return { ok: true, directory, verbs, unsafe, forcePrompt };
}
