import { basename, posix } from "node:path";
import type { CommandInfo } from "./shell-commands.ts";
import { ANY } from "./shell-parse.ts";
import {
  expandBraces,
  hasWildcards,
  isOnlyUnknown,
  normalizeDotDot,
  patternRegex,
  unescapePattern,
} from "./word-patterns.ts";

/** A command that may never run, whatever the approvals (reference/security.md §5). */
export type HardDenyMatch = { rule: string; command: string };

const PRIVILEGE = new Set(["sudo", "su", "doas", "pkexec", "run0"]);
const KILLERS = new Set(["kill", "killall", "pkill", "skill", "tkill"]);
const SERVICE_STOPS = new Set(["stop", "kill", "disable", "mask", "restart"]);
// Privileged programs named inside code handed to an interpreter (python -c "os.system('sudo …')").
const PRIVILEGE_IN_CODE = /(?:^|[^\w.-])(?:sudo|doas|pkexec|su)(?=\s|['"`]|$)/;
const FORK_BOMB = /([A-Za-z_:][\w:]*)\s*\(\s*\)\s*\{[^}]*\1\s*\|\s*\1\s*&/;

export type HardDenyOptions = {
  /** Extra patterns (`Tools.HardDenyPatterns`): case-insensitive regular expressions; an invalid one matches literally. */
  patterns?: string[];
  /** The user's home directory: `rm -rf ~` is denied. */
  userHome: string;
  /** Names the daemon's process runs under (`node`, `netclawd` …): killing them by name is denied. */
  processNames?: string[];
  daemonPid?: number;
};

/** Returns a checker over the commands of one command line; the first rule that matches wins. */
export function createHardDeny(options: HardDenyOptions) {
  const patterns = (options.patterns ?? []).map((pattern) => {
    try {
      return new RegExp(pattern, "i");
    } catch {
      const lower = pattern.toLowerCase();
      return { test: (text: string) => text.toLowerCase().includes(lower) };
    }
  });
  const processNames = new Set(
    ["netclaw", "netclawd", ...(options.processNames ?? [])].map((name) => basename(name).toLowerCase()),
  );
  const home = posix.normalize(options.userHome).replace(/\/+$/, "");
  const dangerousRmTargets = new Set(["/", "/*", home, `${home}/*`, "~", "~/", "~/*", "/home", "/root"]);

  return function check(commandLine: string, commands: CommandInfo[]): HardDenyMatch | undefined {
    if (FORK_BOMB.test(commandLine)) return { rule: "fork bomb", command: commandLine };
    for (const pattern of patterns) {
      if (pattern.test(commandLine)) return { rule: "configured hard-deny pattern", command: commandLine };
    }
    for (const command of commands) {
      const args = command.argv.slice(1).map((w) => w.text);
      const text = command.argv.map((w) => w.text).join(" ");
      const name = command.name;
      for (const pattern of patterns) {
        if (pattern.test(text)) return { rule: "configured hard-deny pattern", command: text };
      }
      if (PRIVILEGE.has(name)) return { rule: "privilege escalation (sudo, su, doas)", command: text };
      // Code we cannot parse — interpreter arguments, or a script a shell reads from a pipe or a
      // here-document — is scanned for privileged program names instead.
      const scanned = command.code && command.shellCode.length === 0 ? [...args, commandLine] : [];
      if (scanned.some((a) => PRIVILEGE_IN_CODE.test(a))) {
        return { rule: "privilege escalation (sudo, su, doas) inside interpreter code", command: text };
      }
      if (/^mkfs(\.|$)|^mke2fs$/.test(name)) return { rule: "making a file system (mkfs)", command: text };
      if (name === "rm" && isRecursive(args)) {
        const targets = command.argv.slice(1).filter((w) => !w.text.startsWith("-"));
        const normalised = targets.map((w) =>
          w.text === "/" ? w.text : posix.normalize(w.text).replace(/\/+$/, "") || "/",
        );
        if (
          args.includes("--no-preserve-root") ||
          normalised.some((t) => dangerousRmTargets.has(t)) ||
          targets.some((w) => expandsToDangerous(w.pattern, home))
        ) {
          return { rule: "recursive removal of / or the home directory", command: text };
        }
      }
      if (name === "netclaw" && args.includes("daemon") && args.some((a) => a === "stop" || a === "kill")) {
        return { rule: "stopping or killing netclaw", command: text };
      }
      if ((name === "systemctl" || name === "service") && args.some((a) => SERVICE_STOPS.has(a))) {
        if (args.some((a) => a.toLowerCase().includes("netclaw")))
          return { rule: "stopping or killing netclaw", command: text };
      }
      if (KILLERS.has(name) && killsDaemon({ name, args, processNames, daemonPid: options.daemonPid })) {
        return { rule: "stopping or killing netclaw", command: text };
      }
    }
    return undefined;
  };
}

/**
 * After brace and glob expansion, whether a target can be `/`, the home, a directory above it,
 * or every entry of `/` or the home (`rm -rf /h*`, `rm -rf ~/{*,.*}`, `rm -rf /{home,tmp}`).
 * A target that is wholly unknown (`"$DIR"`) is left to the approval prompt.
 */
function expandsToDangerous(pattern: string, home: string): boolean {
  const roots = ["/", "/home", "/root", home, ...ancestorsOf(home)];
  for (const alternative of expandBraces(pattern) ?? [ANY]) {
    if (isOnlyUnknown(alternative)) continue;
    if (!hasWildcards(alternative)) {
      if (roots.includes(posix.normalize(unescapePattern(alternative)).replace(/(.)\/+$/, "$1"))) return true;
      continue;
    }
    const normalised = normalizeDotDot(alternative);
    const regex = patternRegex(normalised, true);
    if (roots.some((root) => regex.test(root))) return true;
    const everything = /^(.*)\/(?:[*?.]|\[[^\]]*\])+$/s.exec(normalised);
    if (everything && hasWildcards(normalised) && ["", home].includes(unescapePattern(everything[1]!)))
      return true;
  }
  return false;
}

function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(path); dir !== "/"; dir = posix.dirname(dir)) out.push(dir);
  return out;
}

function isRecursive(args: string[]): boolean {
  return args.some((a) => a === "--recursive" || (/^-[a-zA-Z]+$/.test(a) && /[rR]/.test(a)));
}

function killsDaemon(options: {
  name: string;
  args: string[];
  processNames: Set<string>;
  daemonPid?: number;
}): boolean {
  const { name, args } = options;
  if (args.some((a) => a.toLowerCase().includes("netclaw"))) return true;
  if (name === "kill") {
    let i = 0;
    if (args[0] === "-s" || args[0] === "-n") i = 2;
    else if (args[0]?.startsWith("-") && args.length > 1) i = 1;
    const targets = args.slice(i);
    return targets.some(
      (t) => t === "-1" || (options.daemonPid !== undefined && t === String(options.daemonPid)),
    );
  }
  // killall/pkill by the daemon's process name, or every process of a user.
  if (args.some((a) => a === "-u" || a === "--user" || a.startsWith("--user="))) return true;
  return args.some((a) => !a.startsWith("-") && options.processNames.has(basename(a).toLowerCase()));
}
