import type { CommandInfo } from "./shell-commands.ts";

/** Always allowed without a prompt: they only print their arguments (security.md §5). */
export const EXEMPT_VERBS = new Set(["echo", "printf", ":", "true", "false"]);

/** Programs that only read, whatever their arguments (option-level exceptions are below). */
const READ_ONLY = new Set([
  "ls",
  "cat",
  "head",
  "tail",
  "wc",
  "pwd",
  "grep",
  "egrep",
  "fgrep",
  "rg",
  "stat",
  "file",
  "which",
  "whoami",
  "id",
  "uname",
  "date",
  "df",
  "du",
  "ps",
  "uptime",
  "hostname",
  "free",
  "cut",
  "basename",
  "dirname",
  "realpath",
  "readlink",
  "diff",
  "cmp",
  "md5sum",
  "sha1sum",
  "sha256sum",
  "tree",
  "nproc",
  "test",
  "[",
  "jq",
  "lsblk",
  "ss",
  "journalctl",
  "sort",
  "cd",
  "pushd",
  "popd",
]);
const READ_ONLY_SUBCOMMANDS = new Set([
  "git status",
  "git log",
  "git diff",
  "git show",
  "git rev-parse",
  "git ls-files",
  "git blame",
  "git describe",
  "git shortlog",
  "docker ps",
  "docker images",
  "docker version",
  "docker info",
  "docker inspect",
  "docker logs",
  "systemctl status",
  "systemctl list-units",
  "systemctl is-active",
  "kubectl get",
  "kubectl describe",
  "kubectl logs",
]);
const FIND_ACTIONS = new Set([
  "-exec",
  "-execdir",
  "-ok",
  "-okdir",
  "-delete",
  "-fprint",
  "-fprint0",
  "-fprintf",
  "-fls",
]);
const WRITE_OPS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);

/** Whether the command's redirections write to anything but /dev/null. */
export function writesViaRedirect(command: CommandInfo): boolean {
  return command.segment.redirects.some(
    (r) => WRITE_OPS.has(r.op) && !(r.target && !r.target.dynamic && r.target.text === "/dev/null"),
  );
}

/**
 * A command that needs no prompt: an exempt verb, or a known read-only verb with statically known
 * arguments. Interpreters handed code, dynamic words and writing redirections never qualify.
 */
export function isCoveredWithoutGrant(command: CommandInfo): boolean {
  if (command.code || writesViaRedirect(command)) return false;
  if (EXEMPT_VERBS.has(command.name)) return !command.argv[0]!.dynamic;
  if (command.dynamic) return false;
  const args = command.argv.slice(1).map((w) => w.text);
  if (command.name === "find") return !args.some((a) => FIND_ACTIONS.has(a));
  if (command.name === "sort")
    return !args.some((a) => a === "-o" || a.startsWith("--output") || /^-[a-zA-Z]*o/.test(a));
  if (command.name === "journalctl") return !args.some((a) => a.startsWith("--vacuum") || a === "--rotate");
  if (command.name === "git" && command.verb === "git branch")
    return args.every((a) => ["branch", "-a", "-r", "-v", "-vv", "--list"].includes(a));
  return READ_ONLY.has(command.verb) || READ_ONLY_SUBCOMMANDS.has(command.verb);
}
