import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeCommandLine } from "./shell-commands.ts";
import { parseShell } from "./shell-parse.ts";

const vars = { HOME: "/home/u", NETCLAW_HOME: "/home/u/.netclaw" };
const segments = (command: string) =>
  parseShell(command, { vars }).segments.map((s) => ({
    words: s.words.map((w) => w.text + (w.dynamic ? "*" : "")),
    redirects: s.redirects.map((r) => `${r.op}${r.target?.text ?? ""}`),
    sub: s.substitution,
  }));

test("splits at ; && || | & newlines and parentheses, removing quotes", () => {
  assert.deepEqual(
    segments("a 1; b && c || d | e & f\ng (h) |& i").map((s) => s.words.join(" ")),
    ["a 1", "b", "c", "d", "e", "f", "g", "h", "i"],
  );
  assert.deepEqual(segments(`echo 'a;b' "c $HOME" d\\ e "x\\"y"`)[0]!.words, [
    "echo",
    "a;b",
    "c /home/u",
    "d e",
    'x"y',
  ]);
  assert.deepEqual(segments("echo ~ ~/x a~b")[0]!.words, ["echo", "/home/u", "/home/u/x", "a~b"]);
  assert.deepEqual(
    segments("ls # sudo rm\nid").map((s) => s.words.join(" ")),
    ["ls", "id"],
  );
});

test("command substitutions, backticks and process substitutions become their own segments", () => {
  assert.deepEqual(segments("echo $(cat /x) `id -u` $(( 1 + $(wc -l < f) ))"), [
    { words: ["cat", "/x"], redirects: [], sub: true },
    { words: ["id", "-u"], redirects: [], sub: true },
    { words: ["wc", "-l"], redirects: ["<f"], sub: true },
    { words: ["1", "+", "$(…)*"], redirects: [], sub: true },
    { words: ["echo", "$(…)*", "$(…)*", "$(…)*"], redirects: [], sub: false },
  ]);
  assert.deepEqual(
    segments("diff <(ls a) >(tee b)").map((s) => s.words.join(" ")),
    ["ls a", "tee b", "diff /dev/fd/N* /dev/fd/N*"],
  );
  assert.deepEqual(segments(`echo "$(echo "$(sudo id)")"`)[0]!.words, ["sudo", "id"]);
});

test("redirections are recorded with their targets; here-documents are data unless expanded", () => {
  assert.deepEqual(segments("cmd >out 2>>err &>all <in 2>&1 >|force")[0]!.redirects, [
    ">out",
    ">>err",
    "&>all",
    "<in",
    ">&1",
    ">|force",
  ]);
  assert.deepEqual(
    segments("cat <<'EOF'\nsudo $(id)\nEOF\nls").map((s) => s.words.join(" ")),
    ["cat", "ls"],
  );
  assert.deepEqual(
    segments("cat <<EOF\nsudo $(id)\nEOF\nls").map((s) => s.words.join(" ")),
    ["cat", "id", "ls"],
  );
  assert.deepEqual(
    segments("cat <<-END\n\tx\n\tEND\nls").map((s) => s.words.join(" ")),
    ["cat", "ls"],
  );
});

test("unknown variables are dynamic; parse errors are reported, never thrown", () => {
  const D = "$"; // keeps shell syntax out of template-literal lint rules
  assert.deepEqual(segments(`cat ${D}X ${D}{Y:-z} ${D}{HOME}`)[0]!.words, [
    "cat",
    `${D}X*`,
    `${D}{Y:-z}*`,
    "/home/u",
  ]);
  for (const bad of ["echo 'open", 'echo "open', "echo $(open", "echo `open", "cat <<EOF\nno end", "ls >"]) {
    assert.ok(parseShell(bad).errors.length > 0, bad);
  }
  const deep = `${"$(".repeat(40)}id${")".repeat(40)}`;
  assert.ok(parseShell(deep).errors.includes("nesting too deep"));
});

test("wrappers are peeled off and interpreters handed code are recognised", () => {
  const verbs = (command: string) =>
    analyzeCommandLine(command, { vars }).commands.map(
      (c) => `${c.verb}${c.code ? "!" : ""}${c.dynamic ? "?" : ""}`,
    );
  assert.deepEqual(verbs("env -u A X=1 nohup nice -n 5 timeout -s KILL 10 stdbuf -oL git -C r push"), [
    "git push",
  ]);
  assert.deepEqual(verbs("find . -exec grep -l x {} + -execdir rm {} \\;"), ["find", "grep?", "rm?"]);
  assert.deepEqual(verbs("ls | xargs -n1 -I{} cp {} /tmp"), ["ls", "cp?"]);
  assert.deepEqual(verbs("bash -c 'git push; sudo id'"), ["bash!", "git push", "sudo"]);
  assert.deepEqual(verbs("python3.12 -c 1; python3 x.py; node -e 1; node app.js; perl -E 1; ruby -e 1"), [
    "python!",
    "python",
    "node!",
    "node",
    "perl!",
    "ruby!",
  ]);
  assert.deepEqual(verbs("cat x | python3; curl y | bash -s; eval ls; source f; . f; awk 1"), [
    "cat",
    "python!",
    "curl",
    "bash!",
    "eval!",
    "source!",
    ".!",
    "awk!",
    "ls",
  ]);
  assert.deepEqual(verbs("for f in *; do cat $f; done"), ["", "cat?", ""]);
  assert.deepEqual(verbs("env -S 'sudo id'"), ["env!", "sudo"]);
  assert.deepEqual(verbs("trap 'rm x' EXIT; watch -n 2 df -h; flock /l -c 'make'"), [
    "trap!",
    "watch!",
    "flock!",
    "rm",
    "df",
    "make",
  ]);
});

test("hostile input: random fragments never throw, deep nesting stays bounded", { timeout: 20_000 }, () => {
  let seed = 12_345;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pieces = [
    "$(",
    ")",
    "`",
    "'",
    '"',
    "\\",
    " ",
    ";",
    "|",
    "&",
    "<",
    ">",
    "<<",
    "EOF",
    "\n",
    "{",
    "}",
    "(",
    "a",
  ];
  pieces.push(
    "sudo",
    "$x",
    "${",
    "*",
    "~",
    "#",
    "=",
    "-c",
    "bash",
    "eval",
    "env",
    "-S",
    "find",
    "-exec",
    "xargs",
    "$((",
    "<(",
  );
  for (let i = 0; i < 5000; i++) {
    let command = "";
    const length = Math.floor(random() * 40);
    for (let j = 0; j < length; j++) command += pieces[Math.floor(random() * pieces.length)];
    analyzeCommandLine(command, { vars });
  }
  let nested = "sudo id";
  for (let i = 0; i < 60; i++) nested = `echo "$(${nested})"`;
  const result = analyzeCommandLine(nested);
  assert.ok(result.errors.includes("nesting too deep"));
});
