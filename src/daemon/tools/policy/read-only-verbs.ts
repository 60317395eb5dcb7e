import { dirname } from "node:path";
import {
  abbreviates,
  dockerReadOnly,
  gitReadOnly,
  kubectlReadOnly,
  type ReadOnlyContext,
} from "./read-only-tools.ts";
import type { CommandInfo } from "./shell-commands.ts";

/*
 * THE READ-ONLY RULE (issue 12 §1). A verb is read-only only together with its arguments and its
 * environment. A command runs without a prompt only when ALL of these hold:
 *   1. the program is named bare (found on PATH) or from a system directory (/usr/bin/cat),
 *      never from an arbitrary path (./cat may be anything);
 *   2. nothing changes its environment: no `X=1 cmd`, no `env X=1`, no wrapper other than the
 *      harmless ones below (`strace -o`, `flock`, `env -C` … write files or move it), and no
 *      assignment, `export`, `set`, `shopt`, `alias`, `hash`… anywhere on the same line —
 *      PAGER, GIT_*, LD_PRELOAD, BASH_ENV, PATH all make a reader run a program;
 *   3. every argument is known statically (no `$X`, no `$(…)`) and no redirection writes;
 *   4. its arguments pass the verb's rule below: an allow-list where the options are few
 *      (date, hostname, git's global options), else a deny-list of every option that can run a
 *      program, load a plugin, write a file or read paths from a file (find -exec/-fprint,
 *      sort -o/--compress-program, rg --pre, tree -o, file -C, ss -K, sha256sum -c…);
 *   5. for verbs that read their own configuration (git: repository, user, system and included
 *      config files, hooks; kubectl: kubeconfig exec plugins) no configuration source it would
 *      read names a program — a repository's own .git/config is a config source.
 * Anything else — an unknown option form, an unreadable config file — falls back to "needs
 * approval". Protected paths and tree walks are judged separately (shell-paths.ts), before this.
 */

/** Always allowed without a prompt: they only print their arguments (security.md §5). */
export const EXEMPT_VERBS = new Set(["echo", "printf", ":", "true", "false"]);

/** What a verb's rule may look at besides the arguments. */
type ArgumentRule = (args: string[], context: ReadOnlyContext) => boolean;

const any: ArgumentRule = () => true;
/**
 * Denies each listed option, its `--opt=value` form, any abbreviation of a long one (getopt_long
 * takes `--out` for `--output`), a short one with its value glued on (`-o/tmp/x`), and any
 * short-option word holding a listed letter (`-uo`: which letters are options is not known).
 */
const without =
  (options: string[], shortLetters = ""): ArgumentRule =>
  (args) =>
    !args.some(
      (a) =>
        options.some((o) => a === o || abbreviates(a, o) || (/^-[a-zA-Z]$/.test(o) && a.startsWith(o))) ||
        (/^-[^-]/.test(a) && [...shortLetters].some((l) => a.includes(l))),
    );

const onlyOptions =
  (allowed: string[], operand?: (a: string) => boolean): ArgumentRule =>
  (args) =>
    args.every((a) =>
      a.startsWith("-") ? allowed.some((o) => a === o || a.startsWith(`${o}=`)) : (operand?.(a) ?? false),
    );
const FILES_FROM = ["--files0-from", "--files-from"];

/** `date` prints; `-s`/`--set` and a bare `MMDDhhmm` operand set the clock. */
const dateReadOnly: ArgumentRule = (args) => {
  const options = [
    "-u",
    "--utc",
    "--universal",
    "-R",
    "--rfc-email",
    "-I",
    "--iso-8601",
    "--rfc-3339",
    "--debug",
  ];
  const withValue = ["-d", "--date", "-r", "--reference"];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (withValue.includes(a)) i++;
    else if (a.startsWith("+") || withValue.some((o) => a.startsWith(`${o}=`))) continue;
    else if (!options.some((o) => a === o || a.startsWith(`${o}=`) || (o === "-I" && /^-I[a-z]+$/.test(a))))
      return false;
  }
  return true;
};

const READ_ONLY = new Map<string, ArgumentRule>(
  Object.entries({
    ls: any,
    cat: any,
    head: any,
    tail: any,
    wc: without(FILES_FROM),
    pwd: any,
    grep: any,
    egrep: any,
    fgrep: any,
    // --pre runs a program on every file; -z/--search-zip runs decompressors.
    rg: without(["--pre", "--pre-glob", "--search-zip", "-z"], "z"),
    stat: any,
    // -C writes a compiled magic file, -z/-Z run decompressors, -f reads paths from a file.
    file: without(
      ["-C", "--compile", "-f", "--files-from", "-z", "-Z", "--uncompress", "--uncompress-noreport"],
      "CfzZ",
    ),
    which: any,
    whoami: any,
    id: any,
    uname: any,
    date: dateReadOnly,
    df: any,
    du: without(FILES_FROM),
    ps: any,
    uptime: any,
    hostname: onlyOptions([
      "-f",
      "-s",
      "-i",
      "-I",
      "-d",
      "-a",
      "-A",
      "--fqdn",
      "--long",
      "--short",
      "--domain",
      "--ip-address",
      "--all-ip-addresses",
      "--all-fqdns",
      "--alias",
    ]),
    free: any,
    cut: any,
    basename: any,
    dirname: any,
    realpath: any,
    readlink: any,
    diff: any,
    cmp: any,
    md5sum: without(["-c", "--check"], "c"),
    sha1sum: without(["-c", "--check"], "c"),
    sha256sum: without(["-c", "--check"], "c"),
    // -o writes the listing to a file, -R writes 00Tree.html files, --fromfile reads paths from one.
    tree: without(["-o", "-R", "--fromfile"], "oR"),
    nproc: any,
    test: any,
    "[": any,
    jq: any,
    lsblk: any,
    // -K kills sockets, -D dumps to a file.
    ss: without(["-K", "--kill", "-D", "--diag"], "KD"),
    journalctl: without([
      "--vacuum-size",
      "--vacuum-time",
      "--vacuum-files",
      "--rotate",
      "--flush",
      "--sync",
      "--relinquish-var",
      "--smart-relinquish-var",
      "--setup-keys",
      "--update-catalog",
    ]),
    // -o writes, -T writes temporary files where it says, --compress-program runs a program.
    sort: without(
      ["-o", "--output", "-T", "--temporary-directory", "--compress-program", ...FILES_FROM],
      "oT",
    ),
    find: without([
      "-exec",
      "-execdir",
      "-ok",
      "-okdir",
      "-delete",
      "-fprint",
      "-fprint0",
      "-fprintf",
      "-fls",
    ]),
    cd: any,
    pushd: any,
    popd: any,
  }),
);

/** Subcommands of multi-command tools; the tool's own rule checks global options and config. */
const READ_ONLY_SUBCOMMANDS = new Map<string, ArgumentRule>(
  Object.entries({
    "git status": gitReadOnly,
    "git log": gitReadOnly,
    "git diff": gitReadOnly,
    "git show": gitReadOnly,
    "git rev-parse": gitReadOnly,
    "git ls-files": gitReadOnly,
    "git blame": gitReadOnly,
    "git describe": gitReadOnly,
    "git shortlog": gitReadOnly,
    "git branch": (args, context) =>
      args.every((a) => ["branch", "-a", "-r", "-v", "-vv", "--list"].includes(a)) &&
      gitReadOnly(args, context),
    // No global option before the subcommand (-H, --config, --context reach elsewhere), and a
    // CLI config that keeps it local (read-only-tools.ts).
    "docker ps": dockerReadOnly("ps"),
    "docker images": dockerReadOnly("images"),
    "docker version": dockerReadOnly("version"),
    "docker info": dockerReadOnly("info"),
    "docker inspect": dockerReadOnly("inspect"),
    "docker logs": dockerReadOnly("logs"),
    // -H/--host runs ssh to another machine.
    "systemctl status": without(["-H", "--host"], "H"),
    "systemctl list-units": without(["-H", "--host"], "H"),
    "systemctl is-active": without(["-H", "--host"], "H"),
    "kubectl get": kubectlReadOnly,
    "kubectl describe": kubectlReadOnly,
    "kubectl logs": kubectlReadOnly,
  }),
);

/** Wrappers that change nothing about what the wrapped command can do. */
const HARMLESS_WRAPPERS = new Set([
  "nice",
  "timeout",
  "stdbuf",
  "command",
  "builtin",
  "setsid",
  "ionice",
  "taskset",
  "env",
]);
const SYSTEM_DIRS = new Set(["/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"]);
/** Commands that change how later commands on the line run (environment, options, lookup). */
const ENVIRONMENT_CHANGERS = new Set([
  "export",
  "read",
  "mapfile",
  "readarray",
  "getopts",
  "let",
  "declare",
  "typeset",
  "local",
  "readonly",
  "set",
  "shopt",
  "alias",
  "hash",
  "enable",
  "unalias",
  "ulimit",
  "umask",
]);

const WRITE_OPS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);

/** Whether the command's redirections write to anything but /dev/null, or reach the network. */
export function writesViaRedirect(command: CommandInfo): boolean {
  return command.segment.redirects.some(
    (r) =>
      (WRITE_OPS.has(r.op) && !(r.target && !r.target.dynamic && r.target.text === "/dev/null")) ||
      (r.op === ">&" && !(r.target && !r.target.dynamic && /^(\d+-?|-|\/dev\/null)$/.test(r.target.text))) ||
      /^\/dev\/(tcp|udp)\//.test(r.target?.text ?? ""), // bash opens a network connection
  );
}

/** Rules 2 (line part): whether anything on the line changes the environment of what follows. */
export function lineChangesEnvironment(commands: CommandInfo[]): boolean {
  return commands.some(
    (c) =>
      (c.name === "" && c.assigns.length > 0) ||
      ENVIRONMENT_CHANGERS.has(c.name) ||
      (c.name === "printf" && c.argv.some((w) => w.text.startsWith("-v"))) ||
      (c.name === "" && ["for", "select"].includes(c.segment.words[0]?.text ?? "")),
  );
}

/** Rules 1–2 for one command: named safely, run in the daemon's environment. */
function plainInvocation(command: CommandInfo): boolean {
  const program = command.argv[0]!.text;
  if (program.includes("/") && !SYSTEM_DIRS.has(dirname(program))) return false;
  if (command.assigns.length > 0) return false;
  return command.wrappers.every(
    (w) =>
      HARMLESS_WRAPPERS.has(w.name) &&
      !(w.name === "env" && w.flags.some((f) => /^(-C|--chdir|-S|--split-string)/.test(f.text))),
  );
}

/**
 * A command that needs no prompt: an exempt verb, or a read-only verb whose arguments,
 * environment and configuration keep it read-only (THE READ-ONLY RULE above). `lineChanges`
 * is {@link lineChangesEnvironment} of the whole command line.
 */
export function isCoveredWithoutGrant(
  command: CommandInfo,
  context: ReadOnlyContext & { lineChanges: boolean },
): boolean {
  if (command.code || writesViaRedirect(command) || context.lineChanges) return false;
  if (!plainInvocation(command)) return false;
  if (EXEMPT_VERBS.has(command.name)) return !command.argv[0]!.dynamic;
  if (command.dynamic) return false;
  const args = command.argv.slice(1).map((w) => w.text);
  const rule = READ_ONLY.get(command.verb) ?? READ_ONLY_SUBCOMMANDS.get(command.verb);
  return rule?.(args, context) === true;
}
