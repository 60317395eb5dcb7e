import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { gitProgramSource } from "./git-config-sources.ts";

/** Where a command may run, for the tools whose config sources depend on it (git, docker, kubectl). */
export type ReadOnlyContext = {
  /** Every directory the command may run in (the working directory and static `cd` targets). */
  directories: string[];
  userHome: string;
};

/**
 * Read-only rules of the multi-command tools that read their own configuration (rules 4 and 5
 * of THE READ-ONLY RULE in read-only-verbs.ts). `args` starts after the program name.
 */

/** Whether `arg` (`--out`, `--out=x`) names the long option `option` or a prefix of it. */
export function abbreviates(arg: string, option: string): boolean {
  if (!arg.startsWith("--") || !option.startsWith("--")) return false;
  const name = arg.split("=")[0]!;
  return name.length > 2 && option.startsWith(name);
}

/** git's options before the subcommand that change nothing but output (an allow-list). */
const GIT_GLOBAL_FLAGS = new Set([
  "--no-pager",
  "-P",
  "--no-optional-locks",
  "--literal-pathspecs",
  "--glob-pathspecs",
  "--noglob-pathspecs",
  "--icase-pathspecs",
  "--no-replace-objects",
]);
/** Subcommand options that run a program or write a file (git also takes their abbreviations). */
const GIT_SUBCOMMAND_DENY = [
  "--output",
  "--ext-diff",
  "--textconv",
  "--open-files-in-pager",
  "--exec",
  "--upload-pack",
  "--receive-pack",
  "--show-signature", // runs gpg.program
];

/**
 * `git [-C dir] [harmless flags] <subcommand> …`: any other global option (`-c`, `--config-env`,
 * `--exec-path`, `--git-dir`, `--work-tree`, `-p`) and any subcommand option that runs a program
 * or writes a file falls back to approval; so does a repository (in every directory the command
 * may run in) or user/system config that names a program (git-config-sources.ts).
 */
export function gitReadOnly(args: string[], context: ReadOnlyContext): boolean {
  let directories = context.directories;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const a = args[i]!;
    if (a === "-C" && args[i + 1] !== undefined) {
      const target = args[++i]!;
      directories = directories.map((d) => resolve(d, target));
    } else if (!GIT_GLOBAL_FLAGS.has(a)) return false;
  }
  const rest = args.slice(i + 1);
  if (rest.some((a) => GIT_SUBCOMMAND_DENY.some((o) => abbreviates(a, o) || a.startsWith(o)))) return false;
  if (rest.some((a) => /%G/.test(a))) return false; // --format=%G? checks signatures with gpg.program
  return directories.every(
    (directory) => gitProgramSource({ directory, userHome: context.userHome }) === undefined,
  );
}

/**
 * kubectl reads a kubeconfig whose `exec` credential plugins and auth providers are programs it
 * runs: only the default kubeconfig, and only when it names none.
 */
export function kubectlReadOnly(args: string[], context: ReadOnlyContext): boolean {
  if (args.some((a) => /^(--kubeconfig|--server|-s$|--cache-dir|--as)/.test(a))) return false;
  if (process.env.KUBECONFIG) return false;
  let text: string;
  try {
    text = readFileSync(join(context.userHome, ".kube", "config"), "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
  return !/^\s*(-\s*)?(exec|auth-provider|cmd-path)\s*:/m.test(text);
}

const dockerConfigSchema = z.object({
  currentContext: z.string().optional(),
  cliPluginsExtraDirs: z.array(z.string()).optional(),
});

/**
 * `docker <subcommand>` with no global option before it. The CLI's config is a config source:
 * a context other than the default may reach the engine over ssh (which runs ProxyCommand from
 * ~/.ssh/config), and `docker info` runs every CLI plugin to ask for its metadata.
 */
export function dockerReadOnly(subcommand: string) {
  return (args: string[], context: ReadOnlyContext): boolean => {
    if (args[0] !== subcommand) return false;
    if (process.env.DOCKER_CONTEXT || process.env.DOCKER_HOST?.startsWith("ssh://")) return false;
    const dir = process.env.DOCKER_CONFIG || join(context.userHome, ".docker");
    if (subcommand === "info" && hasEntries(join(dir, "cli-plugins"))) return false;
    let text: string;
    try {
      text = readFileSync(join(dir, "config.json"), "utf8");
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT";
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return false;
    }
    const config = dockerConfigSchema.safeParse(parsed);
    if (!config.success) return false;
    const { currentContext, cliPluginsExtraDirs } = config.data;
    return (
      (currentContext === undefined || currentContext === "default") && cliPluginsExtraDirs === undefined
    );
  };
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
