import type { Command } from "commander";
import { editDistance } from "../config/did-you-mean.ts";

/**
 * The candidates `input` is probably a misspelling of, closest first: within a third of the
 * word's length in edits (one for 3–5 letters), or ones it is the start of (3+ characters typed).
 */
export function closestMatches(input: string, candidates: readonly string[]): string[] {
  const typed = input.toLowerCase();
  const scored = candidates
    .map((candidate) => {
      const distance = editDistance(typed, candidate.toLowerCase());
      const longer = Math.max(typed.length, candidate.length);
      // one edit in a word of 3+, a third of it in longer ones; 1–2 letters have nothing to go on
      const limit = longer < 3 ? 0 : Math.max(1, Math.floor(longer / 3));
      const prefix = typed.length >= 3 && candidate.toLowerCase().startsWith(typed);
      return { candidate, distance, ok: distance <= limit || prefix };
    })
    .filter((entry) => entry.ok && entry.candidate !== input)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  return scored.map((entry) => entry.candidate);
}

/** `Did you mean 'status'?` / `Did you mean 'status' or 'stats'?`, or undefined. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const matches = closestMatches(input, candidates).slice(0, 3);
  if (matches.length === 0) return undefined;
  const quoted = matches.map((m) => `'${m}'`);
  const last = quoted.pop()!;
  return `Did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}

/**
 * The error for a command word that names no command, at any level of the tree:
 * `netclaw: 'x' is not a netclaw command. See 'netclaw --help'.` (reference/core.md §1, exact)
 * or `netclaw daemon: 'x' is not a netclaw daemon command. See 'netclaw daemon --help'.`, plus a
 * did-you-mean line when a command is close. Undefined when `argv` names known commands.
 * `help <words>` is checked the same way, so `netclaw help stauts` does not print the general help.
 */
export function unknownCommandError(program: Command, argv: readonly string[]): string | undefined {
  let command = program;
  const path: string[] = [];
  for (const [index, token] of argv.entries()) {
    if (token === "help" && index === path.length && argv.length > index + 1) continue;
    if (token.startsWith("-") || token === "help") return undefined;
    const subcommands = command.commands;
    if (subcommands.length === 0) return undefined;
    const next = subcommands.find((sub) => sub.name() === token || sub.aliases().includes(token));
    if (next) {
      command = next;
      path.push(token);
      continue;
    }
    // a command with arguments of its own takes the word as one (`daemon devices` has none)
    if (command.registeredArguments.length > 0) return undefined;
    const where = ["netclaw", ...path].join(" ");
    const head = `${where}: '${token}' is not a ${where} command. See '${where} --help'.`;
    const names = subcommands
      .filter((sub) => !(sub as { _hidden?: boolean })._hidden)
      .map((sub) => sub.name());
    const hint = didYouMean(token, path.length === 0 ? [...names, "help", "version"] : [...names, "help"]);
    return hint ? `${head}\n${hint}` : head;
  }
  return undefined;
}

/**
 * The command whose help `<command path> help` asks for, when that command has subcommands but
 * no `help` of its own (commander adds one only to commands without an action, so `netclaw daemon
 * help` would otherwise be "too many arguments"). Undefined for anything else.
 */
export function trailingHelpTarget(program: Command, argv: readonly string[]): Command | undefined {
  let command = program;
  for (const [index, token] of argv.entries()) {
    const next = command.commands.find((sub) => sub.name() === token || sub.aliases().includes(token));
    if (next) {
      command = next;
      continue;
    }
    const own = command.commands.some((sub) => sub.name() === "help");
    const last = index === argv.length - 1;
    return token === "help" && last && command !== program && command.commands.length > 0 && !own
      ? command
      : undefined;
  }
  return undefined;
}
