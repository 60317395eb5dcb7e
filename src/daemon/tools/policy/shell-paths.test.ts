import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { PERSONAL, policyFixture } from "./fixtures/policy.ts";

// Issue 12 §1: protected paths are judged after every expansion the shell would do, and a
// command that walks a tree holding a protected path is denied like a direct read.

type Fixture = ReturnType<typeof policyFixture>;
const AUTO = {
  ...PERSONAL,
  Tools: { AudienceProfiles: { Personal: { ApprovalPolicy: { ToolOverrides: { shell_execute: "Auto" } } } } },
};

async function assertDenied(f: Fixture, commands: string[], cwd?: string) {
  for (const command of commands) {
    const decision = await f.evaluate({
      tool: "shell_execute",
      args: { Command: command },
      ...(cwd ? { cwd } : {}),
    });
    assert.equal(decision.outcome, "denied", `${command}: ${JSON.stringify(decision)}`);
    if (decision.outcome === "denied") assert.equal(decision.reason, "protected_path", command);
  }
}

async function assertOutcome(f: Fixture, commands: string[], expected: string, cwd?: string) {
  for (const command of commands) {
    const decision = await f.evaluate({
      tool: "shell_execute",
      args: { Command: command },
      ...(cwd ? { cwd } : {}),
    });
    assert.equal(decision.outcome, expected, `${command}: ${JSON.stringify(decision)}`);
  }
}

test("protected paths behind brace, glob, tilde, variable, quoting and /proc expansion are denied", async (t) => {
  const f = policyFixture(t, { config: AUTO });
  const h = f.home.root;
  writeFileSync(f.home.secretsKey, "k");
  writeFileSync(f.home.secretsFile, "{}");
  symlinkSync(f.home.configDir, join(f.sessionDir, "lk"));
  await assertDenied(f, [
    `cat ${h}/{keys,nothing}/secrets.key`,
    `cat ${h}/k*/secrets.key`,
    `cat ${h}/{k,x}eys/secrets.key`,
    `cat ${h}/{j..l}eys/secrets.key`,
    `cat ${h}/{a,{b,k}}eys/secrets.key`,
    `cat ${h}/k?ys/secrets.key`,
    `cat ${h}/[k]eys/secrets.key`,
    `cat ${h}/ke[x-z]s/secrets.key`,
    `cat ${h}/@(keys)/*`,
    `cat ${h}/config/secret?.json`,
    `cat ${h}/conf*/s*.json`,
    `cat ${h}/*/*`,
    `cat "${h}/keys"/*`,
    `cat ${dirname(h)}/*/keys/secrets.key`,
    `cat ${h}/x*/../keys/secrets.key`,
    `cat $X/keys/secrets.key`,
    `cat "\${NETCLAW_HOME%/}/keys/secrets.key"`,
    `cat $(dirname ${h}/x)/keys/secrets.key`,
    `cat \`echo ${h}\`/config/secrets.json`,
    "cat ~nobody/../*/keys/secrets.key",
    `cat $'${h}/keys/secrets.key'`,
    `cat $'\\x2f${h.slice(1)}/keys/secrets.key'`,
    `cd ${h} && cat /proc/self/cwd/keys/secrets.key`,
    `cd ${h} && cat /proc/self/root/proc/self/cwd/keys/secrets.key`,
    `cat /proc/self/root${h}/keys/secrets.key`,
    `cat /proc/1/root${h}/keys/secrets.key`,
    "cat /proc/1/cwd/keys/secrets.key",
    "cat lk/../keys/secrets.key",
    `echo x > ${h}/c*/netclaw.json`,
    `cp /tmp/x ${h}/{config,tmp}/new.json`,
    `grep -f${h}/keys/secrets.key x notes.txt`,
    `HOME=${h}; cat ~/keys/secrets.key`,
    `for HOME in ${h}; do cat ~/keys/secrets.key; done`,
    `read HOME < h.txt; cat $HOME/keys/secrets.key`,
    `cat ${h}/ke\\\nys/secrets.key`,
    `cat $"${h}/keys/secrets.key"`,
    "dd if=~/../home/keys/secrets.key of=/tmp/k",
    `echo x >& ${h}/config/netclaw.json`,
    `ls >&${h}/netclaw.pid`,
    `diff <(cat ${h}/k*/secrets.key) /dev/null`,
    "cat l*/secrets.json",
    "find . -maxdepth 0 -exec cat {}/../../keys/secrets.key \\;",
    `busybox find ${h} -name secrets.key`,
    `cat ${h}//k*//secrets.key`,
    `{cat,${h}/keys/secrets.key}`,
    `echo ${h}/keys/*`,
  ]);
});

test("the daemon's environment through /proc behind a substitution, a glob or ps e is denied", async (t) => {
  const f = policyFixture(t, { config: AUTO, daemonPid: process.pid });
  await assertDenied(f, [
    "cat /proc/$(pgrep -f netclawd)/environ",
    "strings /proc/*/environ",
    `cat /proc/${process.pid}/../${process.pid}/environ`,
    "ps e",
    "ps auxe",
    "ps -p 1 eww",
  ]);
  await assertOutcome(f, ["ps aux", "ps -ef", "ps -C postgres -o pid"], "allowed");
});

test("a word that may name any path after expansion prompts once, even under Auto", async (t) => {
  const f = policyFixture(t, { config: AUTO });
  for (const command of [
    'cat "$f"',
    "env -C $D cat keys/secrets.key",
    "for f in *.txt; do cat $f; done",
    "head $(ls | head -1)",
    "cat ~nobody/x",
    "cat > $OUT",
    "cat list.txt | xargs cat",
    "cd - && cat keys/secrets.key",
    `CDPATH=${f.home.root} cd keys && cat secrets.key`,
  ]) {
    const decision = await f.evaluate({ tool: "shell_execute", args: { Command: command } });
    assert.equal(decision.outcome, "requires_approval", `${command}: ${JSON.stringify(decision)}`);
    if (decision.outcome === "requires_approval")
      assert.deepEqual(decision.options, ["approve_once", "deny"], command);
  }
  // echo only prints: its unknown words read nothing.
  await assertOutcome(
    f,
    ['echo "$HOSTNAME"', "echo $((1+2))", "cat notes.txt", "ls *.md", "diff <(ls a) <(ls b)"],
    "allowed",
  );
});

test("recursive readers and writers whose tree holds a protected path are denied", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const h = f.home.root;
  const parent = dirname(h);
  writeFileSync(f.home.secretsKey, "k");
  const tree = join(f.sessionDir, "tree");
  mkdirSync(join(tree, "sub"), { recursive: true });
  symlinkSync(f.home.keysDir, join(tree, "sub", "k"));
  await assertDenied(f, [
    `grep -r "" ${h}/config`,
    `grep -rc "" ${h}`,
    `grep -R x ${h}`,
    `grep --recursive x ${h}`,
    `grep -d recurse x ${h}`,
    `grep -r -e x ${parent}`,
    `find ${h} -name secrets.key`,
    "find / -name secrets.key",
    `find -L ${parent} -name x`,
    `ls -R ${h}`,
    `ls -laR ${parent}`,
    `du -a ${h}`,
    `tree ${h}`,
    `rg x ${h}`,
    `tar czf /tmp/x.tgz ${parent}`,
    `tar -C ${h} -cf /tmp/x.tar .`,
    `cp -r ${h} /tmp/copy`,
    `zip -r /tmp/x.zip ${h}`,
    `rsync -a ${h}/ /tmp/copy`,
    `diff -r ${h} /tmp/x`,
    `chmod -R 777 ${parent}`,
    `mv ${h} /tmp/moved`,
    `rm -r ${h}`,
    `grep -r x ${parent}/h*`,
    `grep -r x ${h}/..`,
    `cd ${h} && grep -r x`,
    `cd ${parent}; rg x`,
    `grep -R secret ${tree}`,
    `find -L ${tree} -name x`,
    "locate secrets.key",
    `rgrep x ${h}`,
    `ug -c x ${h}`,
    `eza -T ${h}`,
    `ncdu ${parent}`,
    `restic backup ${parent}`,
    `git -C ${h} add keys/secrets.key`,
    `git -C ${h} init && git -C ${h} add -A`,
    `env -C ${h} cat keys/secrets.key`,
    `git --work-tree=${h} add .`,
    `tar -xf /tmp/a.tar -C ${parent}`,
    `unzip /tmp/a.zip -d ${h}`,
  ]);
  await assertDenied(f, ["git add -A", "tar xzf /tmp/a.tgz", "unzip /tmp/a.zip"], h);
  await assertDenied(f, ["grep -r x .", "find . -name secrets.key", "du -sh", "ls -R"], h);
  // A bounded walk that cannot reach the protected files is not refused; one that can is.
  await assertDenied(f, [`find ${parent} -maxdepth 3 -name x`, `tree -L 2 ${h}`]);
  await assertOutcome(f, [`find ${parent} -maxdepth 1`, `tree -L 1 ${h}`], "allowed");
  // Walks that stay clear of the protected paths are still read-only.
  await assertOutcome(
    f,
    [
      `grep -r x ${tree}`,
      "grep -rn foo .",
      "find . -name '*.ts'",
      "du -sh .",
      `ls -R ${tree}`,
      `ls ${f.home.configDir}`,
    ],
    "allowed",
  );
});

test("file tools: a search whose tree holds a protected path is denied; one that does not is not", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  for (const Root of [f.home.root, dirname(f.home.root), "/", f.home.configDir, "../.."]) {
    const decision = await f.evaluate({ tool: "file_search", args: { Root, Query: "ENC" } });
    assert.equal(decision.outcome, "denied", `${Root}: ${JSON.stringify(decision)}`);
    if (decision.outcome === "denied")
      assert.match(decision.message, /file_search cannot search .* a protected path/);
  }
  const inside = await f.evaluate({ tool: "file_search", args: { Root: ".", Query: "x" } });
  assert.equal(inside.outcome, "allowed");
});
