import type { PathAccessKind } from "./protected-paths.ts";
import type { CommandInfo } from "./shell-commands.ts";
import type { Word } from "./shell-parse.ts";

/**
 * Recursive readers and writers (issue 12 §1): a command that walks a directory tree reads (or
 * changes) everything under its roots, so a root that *contains* a protected path is refused
 * like a direct read of that path — `grep -r "" ~`, `find / -name secrets.key`, `du ~/.netclaw`,
 * `tar c ~`, `chmod -R 777 ~`. `roots` are the operands that may be walked (a superset: a
 * pattern or an archive name is harmless), `cwd` says the walk starts at the working directory
 * when no root is given, and `follows` that symbolic links inside the tree are followed, so a
 * link into `keys/` planted in the tree counts too.
 */
export type Walk = {
  roots: Word[];
  cwd: boolean;
  follows: boolean;
  access: PathAccessKind;
  /** How many levels below a root the walk reaches (`find -maxdepth 1`), when bounded. */
  maxDepth?: number;
};

/** The value of a depth option (`-maxdepth 2`, `-L 2`, `--max-depth=2`, `-d2`), if given. */
function depthOption(args: string[], names: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const name of names) {
      const glued = args[i]!.startsWith(name) ? args[i]!.slice(name.length).replace(/^=/, "") : undefined;
      const value = args[i] === name ? args[i + 1] : glued;
      if (value !== undefined && /^\d+$/.test(value)) return Number(value);
    }
  }
  return undefined;
}

/** Short-option clusters (`-rn`) and long options of one command. */
function flags(args: string[]): { short: string; long: string[] } {
  let short = "";
  const long: string[] = [];
  for (const a of args) {
    if (a === "--") break;
    if (a.startsWith("--")) long.push(a.split("=")[0]!);
    else if (/^-[a-zA-Z0-9]/.test(a)) short += a.slice(1);
  }
  return { short, long };
}

const operands = (words: Word[]) => {
  const out: Word[] = [];
  let ended = false;
  for (const w of words) {
    if (!ended && w.text === "--") ended = true;
    else if (ended || !w.text.startsWith("-")) out.push(w);
  }
  return out;
};

/** Programs that always walk the trees under their operands. */
const ALWAYS = new Set([
  "du",
  "tree",
  "rg",
  "ag",
  "ack",
  "pt",
  "sift",
  "ug",
  "rgrep",
  "fd",
  "fdfind",
  "tar",
  "bsdtar",
  "gtar",
  "pax",
  "mv",
  "7z",
  "7za",
  "ncdu",
  "dust",
  "rclone",
  "restic",
  "borg",
  "duplicity",
  "rdiff-backup",
]);
/** Programs that list every file of the machine from an index of `/`. */
const LOCATE = new Set(["locate", "mlocate", "plocate", "slocate"]);
const ROOT: Word = { text: "/", pattern: "/", dynamic: false, glob: false };
const FOLLOW_LONG = new Set(["--dereference", "--follow", "--dereference-recursive", "--dereference-args"]);

export function walkOf(command: CommandInfo): Walk | undefined {
  const name = command.name;
  const words = command.argv.slice(1);
  const args = words.map((w) => w.text);
  const { short, long } = flags(args);
  const has = (letters: string, longs: string[] = []) =>
    [...letters].some((l) => short.includes(l)) || longs.some((l) => long.includes(l));
  const walk = (roots: Word[], extra: Partial<Walk> = {}): Walk => ({
    roots,
    cwd: roots.length === 0,
    follows: long.some((l) => FOLLOW_LONG.has(l)),
    access: "read",
    ...extra,
  });
  if (name === "find") {
    const start = words.findIndex((w) => /^[-(!]/.test(w.text) && !/^-[HLPD]$|^-O\d?$/.test(w.text));
    const roots = (start < 0 ? words : words.slice(0, start)).filter((w) => !w.text.startsWith("-"));
    return walk(roots, {
      follows: args.includes("-L") || args.includes("-follow"),
      // -exec hands each found path (a directory's contents included) to another command.
      maxDepth: args.some((a) => /^-(exec|execdir|ok|okdir)$/.test(a))
        ? undefined
        : depthOption(args, ["-maxdepth"]),
    });
  }
  if (LOCATE.has(name)) return walk([ROOT]);
  // `git add` reads every file under its pathspecs (the whole work tree with -A) into objects.
  if (command.verb === "git add" || command.verb === "git stage") {
    const at = words.findIndex((w) => w.text === "add" || w.text === "stage");
    return walk(operands(words.slice(at + 1)));
  }
  // Extracting writes a whole tree into -C's directory (or the working directory).
  if (
    (name === "tar" || name === "bsdtar" || name === "gtar") &&
    /^-?[a-zA-Z]*x|^--extract|^--get/.test(args[0] ?? "")
  ) {
    const dirs = words.filter((_, i) => words[i - 1]?.text === "-C" || words[i - 1]?.text === "--directory");
    return { roots: dirs, cwd: dirs.length === 0, follows: false, access: "write" };
  }
  if (name === "unzip") {
    const dir = words.findIndex((w) => w.text === "-d");
    return {
      roots: dir >= 0 && words[dir + 1] ? [words[dir + 1]!] : [],
      cwd: dir < 0,
      follows: false,
      access: "write",
    };
  }
  if (name === "rgrep") return walk(operands(words).slice(has("ef", ["--regexp", "--file"]) ? 0 : 1));
  if (["exa", "eza", "lsd"].includes(name) && has("RT", ["--recurse", "--tree"]))
    return walk(operands(words));
  if (name === "grep" || name === "egrep" || name === "fgrep" || name === "zgrep" || name === "ugrep") {
    const recursive =
      has("rR", ["--recursive", "--dereference-recursive"]) ||
      args.some((a, i) => a === "recurse" && (args[i - 1] === "-d" || args[i - 1] === "--directories")) ||
      args.includes("--directories=recurse");
    if (!recursive) return undefined;
    const patternGiven = has("ef", ["--regexp", "--file"]);
    const roots = operands(words).slice(patternGiven ? 0 : 1);
    return walk(roots, { follows: has("R", ["--dereference-recursive"]) });
  }
  if (["rg", "ag", "ack", "pt", "sift", "ug"].includes(name)) {
    const patternGiven = has("ef", ["--regexp", "--file", "--files", "--type-list"]);
    const roots = operands(words).slice(patternGiven ? 0 : 1);
    return walk(roots, {
      follows: has("L", ["--follow"]),
      maxDepth: depthOption(args, ["--max-depth", "--maxdepth"]),
    });
  }
  if (name === "ls" && has("R", ["--recursive"])) return walk(operands(words), { follows: has("L") });
  if (name === "du")
    return walk(operands(words), { follows: has("L"), maxDepth: depthOption(args, ["--max-depth", "-d"]) });
  if (name === "tree")
    return walk(operands(words), { follows: has("l"), maxDepth: depthOption(args, ["-L"]) });
  if (name === "fd" || name === "fdfind")
    return walk(operands(words), { follows: has("L"), maxDepth: depthOption(args, ["--max-depth", "-d"]) });
  if (name === "tar" || name === "bsdtar" || name === "7z" || name === "7za") {
    // Every word may be a member or a -C directory; the archive name is harmless.
    return { roots: words.filter((w) => w.text !== "-C"), cwd: false, follows: has("hL"), access: "read" };
  }
  if (name === "zip" && has("rR", ["--recurse-paths"])) return walk(operands(words).slice(1));
  if ((name === "cp" || name === "scp") && has("rRa", ["--recursive", "--archive"])) {
    const sources = operands(words);
    return walk(long.includes("--target-directory") || short.includes("t") ? sources : sources.slice(0, -1), {
      follows: has("L"),
    });
  }
  if (name === "rsync" && has("ra", ["--recursive", "--archive"])) return walk(operands(words).slice(0, -1));
  if (name === "diff" && has("r", ["--recursive"])) return walk(operands(words));
  if (name === "mv") return walk(operands(words), { access: "write", cwd: false });
  if (name === "rm" && has("rR", ["--recursive"]))
    return walk(operands(words), { access: "write", cwd: false });
  if (["chmod", "chown", "chgrp", "setfacl", "chattr"].includes(name) && has("R", ["--recursive"]))
    return walk(operands(words).slice(1), { access: "write", cwd: false });
  if (name === "getfacl" && has("R", ["--recursive"])) return walk(operands(words));
  return ALWAYS.has(name) ? walk(operands(words)) : undefined;
}
