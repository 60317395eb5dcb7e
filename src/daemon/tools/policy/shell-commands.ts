import { basename } from "node:path";
import {
  ALWAYS_CODE,
  CODE_FLAGS,
  KEYWORDS,
  NON_COMMAND_STARTS,
  SHELLS,
  STDIN_INTERPRETERS,
  SUBCOMMAND_TOOLS,
  WRAPPER_VALUE_FLAGS,
} from "./command-tables.ts";
import { ANY, literalWord, type ParseOptions, parseShell, type Segment, type Word } from "./shell-parse.ts";

/**
 * What one simple command does, as far as a static look can tell: the command that really runs
 * after wrappers (`env X=1`, `nohup`, `timeout 5`, `xargs`, `find -exec` …) are peeled off, the
 * verb a grant would name, and whether it is an interpreter handed code (`bash -c`, `python -c`,
 * `node -e`, `eval`, a shell reading its script from a pipe) — which no "always" grant may cover.
 */
export type CommandInfo = {
  argv: Word[];
  /** basename of the program, lower-case; "" when the segment runs nothing. */
  name: string;
  /** Grant key: the program plus, for multi-command tools, its subcommand ("git push"). */
  verb: string;
  code: boolean;
  /** Program name or some argument is not statically known. */
  dynamic: boolean;
  /** Code strings handed to an interpreter that is itself a shell: parsed and checked too. */
  shellCode: string[];
  segment: Segment;
  /** Variables assigned for this command (`X=1 cmd`, `env X=1 cmd`): its environment is not the daemon's. */
  assigns: string[];
  /** Wrappers peeled off in front of it (`env -C dir`, `strace -o f`), with their options. */
  wrappers: { name: string; flags: Word[] }[];
};

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

export function programName(word: string): string {
  const name = basename(word).toLowerCase();
  const python = /^(python|pypy)[0-9.]*$/.exec(name);
  if (python) return "python";
  if (/^mkfs(\..+)?$/.test(name)) return name;
  return name;
}

/** Analyses one parsed segment into the command(s) it runs (find -exec adds more). */
export function analyzeSegment(segment: Segment): CommandInfo[] {
  let words = segment.words;
  while (words.length > 0 && KEYWORDS.has(words[0]!.text) && !words[0]!.dynamic) words = words.slice(1);
  if (words.length === 0 || NON_COMMAND_STARTS.has(words[0]!.text)) return [];
  const results: CommandInfo[] = [];
  analyzeArgv({ words, segment, results, viaXargs: false, depth: 0 });
  return results;
}

function analyzeArgv(options: {
  words: Word[];
  segment: Segment;
  results: CommandInfo[];
  viaXargs: boolean;
  depth: number;
}) {
  let words = options.words;
  let viaXargs = options.viaXargs;
  const assigns: string[] = [];
  const wrappers: CommandInfo["wrappers"] = [];
  // Leading assignments: X=1 cmd.
  while (words.length > 0 && ASSIGNMENT.test(words[0]!.text)) {
    assigns.push(words[0]!.text.split("=")[0]!);
    words = words.slice(1);
  }
  for (let guard = 0; words.length > 0 && guard < 10; guard++) {
    const name = programName(words[0]!.text);
    if (!(name in WRAPPER_VALUE_FLAGS)) break;
    const valueFlags = WRAPPER_VALUE_FLAGS[name]!;
    let i = 1;
    while (i < words.length) {
      const text = words[i]!.text;
      if (name === "env" && ASSIGNMENT.test(text)) {
        assigns.push(text.split("=")[0]!);
        i++;
      } else if (text === "--") {
        i++;
        break;
      } else if (text.startsWith("-") && text.length > 1) i += valueFlags.has(text) ? 2 : 1;
      else break;
    }
    if (
      name === "env" &&
      words.slice(1, i).some((w) => w.text === "-S" || w.text.startsWith("--split-string"))
    ) {
      const command = info({ words, name: "env", code: true, segment: options.segment });
      command.shellCode = [
        words
          .slice(i)
          .map((w) => w.text)
          .join(" "),
      ];
      options.results.push(command);
      return;
    }
    if (name === "timeout" && i < words.length) i++; // the duration
    if (name === "taskset" && i < words.length) i++; // the CPU mask
    if (name === "flock" && i < words.length) {
      i++; // the lock file
      const flags = [...words.slice(1, i), ...words.slice(i, i + 1)].map((w) => w.text);
      if (flags.includes("-c") || flags.includes("--command")) {
        const command = info({ words, name: "flock", code: true, segment: options.segment });
        command.shellCode = [words[words.length - 1]!.text];
        options.results.push(command);
        return;
      }
    }
    if (name === "xargs") viaXargs = true;
    if (i >= words.length && name !== "xargs") break; // nothing wrapped: `env` alone prints the environment
    wrappers.push({ name, flags: words.slice(1, i) });
    words = words.slice(i);
    if (words.length === 0 && name === "xargs") words = [literalWord("echo")];
  }
  if (words.length === 0) return;
  const name = programName(words[0]!.text);
  const command = info({ words, name, code: isCode(name, words, viaXargs), segment: options.segment });
  command.assigns = assigns;
  command.wrappers = wrappers;
  if (SHELLS.has(name)) command.shellCode = shellCodeArgument(words);
  else command.shellCode = embeddedShellCode(name, words);
  if (viaXargs) command.dynamic = true;
  options.results.push(command);
  if (name === "find" && options.depth < 4) {
    for (let i = 1; i < words.length; i++) {
      if (!["-exec", "-execdir", "-ok", "-okdir"].includes(words[i]!.text)) continue;
      let end = i + 1;
      while (end < words.length && words[end]!.text !== ";" && words[end]!.text !== "+") end++;
      // `{}` alone is a path of find's own walk (judged with its roots); glued to more text
      // (`{}/../../keys/x`) it may lead anywhere, so it stands for an unknown part.
      const exec = words
        .slice(i + 1, end)
        .map((w) => (w.text !== "{}" && w.text.includes("{}") ? foundPath(w) : w));
      analyzeArgv({ ...options, words: exec, viaXargs: true, depth: options.depth + 1 });
      i = end;
    }
  }
}

function foundPath(word: Word): Word {
  return { ...word, dynamic: true, pattern: word.pattern.replaceAll("{}", ANY) };
}

function info(options: { words: Word[]; name: string; code: boolean; segment: Segment }): CommandInfo {
  const { words, name } = options;
  return {
    argv: words,
    name,
    verb: verbOf(name, words),
    code: options.code,
    dynamic: words.some((w) => w.dynamic),
    shellCode: [],
    segment: options.segment,
    assigns: [],
    wrappers: [],
  };
}

function verbOf(name: string, words: Word[]): string {
  if (!SUBCOMMAND_TOOLS.has(name)) return name;
  for (let i = 1; i < words.length; i++) {
    const text = words[i]!.text;
    if (name === "git" && (text === "-C" || text === "-c")) {
      i++;
      continue;
    }
    if (text.startsWith("-")) continue;
    return `${name} ${text.toLowerCase()}`;
  }
  return name;
}

function isCode(name: string, words: Word[], viaXargs: boolean): boolean {
  if (ALWAYS_CODE.has(name)) return true;
  const args = words.slice(1).map((w) => w.text);
  if (SHELLS.has(name)) {
    const firstOperand = args.findIndex((a) => !a.startsWith("-") && !a.startsWith("+"));
    const flags = firstOperand < 0 ? args : args.slice(0, firstOperand);
    if (flags.some((f) => /^-[a-z]*[cs]/i.test(f) && !f.startsWith("--"))) return true;
    return firstOperand < 0 || viaXargs || args[firstOperand] === "-";
  }
  const flags = CODE_FLAGS[name];
  if (flags && args.some((a) => flags.includes(a.toLowerCase()) || flags.some((f) => a.startsWith(`${f}=`))))
    return true;
  if (name === "python" && args.some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith("--"))) return true;
  if (STDIN_INTERPRETERS.has(name)) {
    const operand = args.find((a) => !a.startsWith("-"));
    return operand === undefined || args.includes("-") || viaXargs;
  }
  return false;
}

/** Shell code carried by the arguments of eval, trap, watch and script -c. */
function embeddedShellCode(name: string, words: Word[]): string[] {
  const args = words.slice(1).map((w) => w.text);
  if (name === "eval") return [args.join(" ")];
  if (name === "trap" && args[0] !== undefined && !args[0].startsWith("-")) return [args[0]];
  if (name === "watch") {
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "-n" || args[i] === "--interval") i++;
      else if (!args[i]!.startsWith("-")) rest.push(args[i]!);
    }
    return [rest.join(" ")];
  }
  if (name === "script") {
    const at = args.findIndex((a) => a === "-c" || a === "--command");
    return at >= 0 && args[at + 1] !== undefined ? [args[at + 1]!] : [];
  }
  return [];
}

/** The string after `-c` (or a flag cluster ending in c) of a shell invocation. */
function shellCodeArgument(words: Word[]): string[] {
  for (let i = 1; i < words.length; i++) {
    const text = words[i]!.text;
    if (!text.startsWith("-")) break;
    if (/^-[a-z]*c[a-z]*$/i.test(text) && words[i + 1]) return [words[i + 1]!.text];
  }
  return [];
}

/**
 * Every command a command line runs, including those inside substitutions and inside code given
 * to a shell with `-c` (parsed in turn, to a bounded depth). Parse errors are returned so the
 * policy can refuse to treat the line as understood.
 */
export function analyzeCommandLine(
  command: string,
  options: ParseOptions = {},
): { commands: CommandInfo[]; errors: string[] } {
  const commands: CommandInfo[] = [];
  const errors: string[] = [];
  const pending: { text: string; depth: number }[] = [{ text: command, depth: 0 }];
  while (pending.length > 0) {
    const { text, depth } = pending.shift()!;
    const parsed = parseShell(text, options);
    errors.push(...parsed.errors);
    for (const segment of parsed.segments) {
      const found = analyzeSegment(segment);
      if (found.length === 0) {
        const empty = info({ words: segment.words, name: "", code: false, segment });
        empty.assigns = segment.words
          .filter((w) => ASSIGNMENT.test(w.text))
          .map((w) => w.text.split(/\+?=|\[/)[0]!);
        commands.push(empty);
      }
      for (const item of found) {
        commands.push(item);
        for (const code of item.shellCode) {
          if (depth < 4) pending.push({ text: code, depth: depth + 1 });
          else errors.push("shell code nested too deeply");
        }
      }
    }
  }
  return { commands, errors };
}
