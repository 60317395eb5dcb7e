import assert from "node:assert/strict";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PERSONAL, policyFixture } from "./fixtures/policy.ts";

// Issue 12 §1: a verb is read-only only together with its arguments, its environment and its
// configuration. Each command below ran without a prompt before; each must now need approval.

type Fixture = ReturnType<typeof policyFixture>;

async function outcome(f: Fixture, command: string, cwd?: string) {
  return f.evaluate({ tool: "shell_execute", args: { Command: command }, ...(cwd ? { cwd } : {}) });
}

async function assertPrompts(f: Fixture, commands: string[], cwd?: string) {
  for (const command of commands) {
    const decision = await outcome(f, command, cwd);
    assert.equal(decision.outcome, "requires_approval", `${command}: ${JSON.stringify(decision)}`);
  }
}

async function assertFree(f: Fixture, commands: string[], cwd?: string) {
  for (const command of commands) {
    const decision = await outcome(f, command, cwd);
    assert.equal(decision.outcome, "allowed", `${command}: ${JSON.stringify(decision)}`);
  }
}

/** A git repository whose .git/config holds `config` (git itself is not needed). */
function repo(f: Fixture, name: string, config = "[core]\n\trepositoryformatversion = 0\n") {
  const dir = join(f.sessionDir, name);
  mkdirSync(join(dir, ".git", "hooks"), { recursive: true });
  writeFileSync(join(dir, ".git", "config"), config);
  return dir;
}

test("git: options, environment and every config source that can run a program need approval", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const clean = repo(f, "clean");
  const fsmonitor = repo(f, "fsmonitor", "[core]\n\tfsmonitor = touch /tmp/pwned\n");
  const external = repo(f, "external", '[diff]\n  external = "sh -c id"\n');
  const textconv = repo(f, "textconv", '[diff "x"]\n\ttextconv = ./conv\n');
  const filter = repo(f, "filter", '[filter "lfs"]\n\tclean = ./evil %f\n');
  const pager = repo(f, "pager", "[pager]\n\tlog = sh -c id\n");
  const included = repo(f, "included", "[include]\n\tpath = ../../evil.cfg\n");
  writeFileSync(join(f.sessionDir, "evil.cfg"), "[core]\n\tfsmonitor = ./x\n");
  const hook = repo(f, "hook");
  writeFileSync(join(hook, ".git", "hooks", "post-index-change"), "#!/bin/sh\nid\n");
  chmodSync(join(hook, ".git", "hooks", "post-index-change"), 0o755);
  const worktree = join(f.sessionDir, "worktree");
  mkdirSync(worktree);
  writeFileSync(join(worktree, ".git"), `gitdir: ${join(fsmonitor, ".git")}\n`);
  const submodule = repo(f, "submodule");
  mkdirSync(join(submodule, ".git", "modules", "lib", "inner"), { recursive: true });
  writeFileSync(join(submodule, ".git", "modules", "lib", "inner", "config"), "[core]\n\tfsmonitor = ./x\n");
  // ssh and credential helpers only run to fetch: that happens while reading in a partial clone.
  const ssh = repo(f, "ssh", "[core]\n\tsshCommand = ssh -i key\n");
  const partial = repo(
    f,
    "partial",
    '[core]\n\tsshCommand = sh -c id\n[remote "origin"]\n\tpromisor = true\n',
  );
  const helper = repo(
    f,
    "helper",
    '[extensions]\n\tpartialClone = origin\n[credential]\n\thelper = "!sh -c id"\n',
  );
  await assertFree(f, ["git status", "git log -p"], ssh);
  // What status/diff/log cannot run, and git-lfs's standard filters, do not get in the way.
  const everyday = repo(
    f,
    "everyday",
    '[core]\n\teditor = vim\n[merge "x"]\n\tdriver = ./m\n[filter "lfs"]\n\tclean = git-lfs clean -- %f\n\tprocess = git-lfs filter-process\n[gpg]\n\tprogram = ./gpg\n',
  );
  await assertFree(f, ["git status", "git log --oneline"], everyday);
  await assertPrompts(f, ["git log --show-signature", "git log --format=%G?"], everyday);
  const lfsInjected = repo(f, "lfs-injected", '[filter "lfs"]\n\tclean = git-lfs clean -- %f; id\n');
  const signing = repo(f, "signing", "[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ./gpg\n");
  const bom = repo(f, "bom", "\uFEFF[core]\n\tfsmonitor = ./x\n");
  const odd = repo(f, "odd", "[core]\n\tbare = false\n\t!fsmonitor = ./x\n");
  const embedded = repo(f, "embedded");
  writeFileSync(join(embedded, ".gitmodules"), '[submodule "lib"]\n\tpath = lib\n');
  mkdirSync(join(embedded, "lib", ".git"), { recursive: true });
  writeFileSync(join(embedded, "lib", ".git", "config"), "[diff]\n\texternal = ./x\n");
  // A directory that is itself a (bare) git dir: git uses it without any .git.
  const bare = join(f.sessionDir, "bare");
  for (const d of ["objects", "refs"]) mkdirSync(join(bare, d), { recursive: true });
  writeFileSync(join(bare, "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(bare, "config"), "[core]\n\tbare = true\n\tfsmonitor = ./x\n");

  // A grant for the environment-changing verb must not carry the reader along with it.
  for (const verb of ["export", "set"])
    f.grants.add({ audience: "Personal", tool: "shell_execute", verb, scope: "anywhere" });
  await assertFree(f, ["git status", "git log --oneline -5", "git diff HEAD~1", "git -C . status"], clean);
  await assertFree(f, [`git -C ${clean} status`, `cd ${clean} && git diff`]);
  await assertPrompts(
    f,
    [
      "git -c core.fsmonitor='touch /tmp/pwned' status",
      "git -c diff.external='sh -c id' diff",
      "git --config-env=core.pager=EVIL log",
      "git --exec-path=/tmp/x status",
      "git --git-dir=/tmp/x/.git status",
      "git --work-tree=/tmp status",
      "git -p log",
      "git --paginate log",
      "git diff --ext-diff",
      "git log -p --textconv",
      "git diff --output=/tmp/out.txt",
      "git diff --outp=/tmp/out.txt",
      "git diff --ext",
      "git log -p --textc",
      "GIT_EXTERNAL_DIFF='sh -c id' git diff",
      "PAGER='sh -c id' git log",
      "GIT_PAGER=id git log",
      "env GIT_SSH_COMMAND=id git log",
      "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0=id git status",
      "export GIT_EXTERNAL_DIFF=id; git diff",
      "GIT_EXTERNAL_DIFF=id; git diff",
      "set -a; GIT_PAGER=id; git log",
      "printf -v PAGER id; git log",
      "for PAGER in id; do git log; done",
    ],
    clean,
  );
  for (const dir of [
    fsmonitor,
    external,
    textconv,
    filter,
    pager,
    included,
    hook,
    worktree,
    submodule,
    bare,
    bom,
    odd,
    embedded,
    partial,
    helper,
    lfsInjected,
    signing,
  ]) {
    await assertPrompts(f, ["git status", "git diff", "git log"], dir);
    await assertPrompts(f, [`git -C ${dir} status`, `cd ${dir} && git status`]);
  }
  // The user's own config is a source too.
  writeFileSync(join(f.userHome, ".gitconfig"), "[core]\n\tpager = sh -c id\n");
  await assertPrompts(f, ["git log"], clean);
});

test("other read-only verbs: options that run programs, write files or set state need approval", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  writeFileSync(join(f.sessionDir, "notes.txt"), "b\na\n");
  await assertFree(f, [
    "ls -la",
    "cat notes.txt",
    "sort -u notes.txt",
    "sort -t, -k2 notes.txt",
    "date +%F",
    "date -u -d yesterday +%F",
    "hostname",
    "hostname -f",
    "find . -name '*.txt'",
    "grep -n a notes.txt",
    "/bin/ls",
    "/usr/bin/cat notes.txt",
    "timeout 5 cat notes.txt",
    "nice -n 5 wc -l notes.txt",
    "sha256sum notes.txt",
    "tree -L 2",
    "ss -tlnp",
    "journalctl -u nginx --since today",
    "systemctl status nginx",
    "docker ps -a",
  ]);
  await assertPrompts(f, [
    "find . -exec id \\;",
    "find . -fprint /tmp/out",
    "find . -delete",
    "find . -fls /tmp/out",
    "sort -o /tmp/out notes.txt",
    "sort -uo /tmp/out notes.txt",
    "sort --output=/tmp/out notes.txt",
    "sort --out=/tmp/out notes.txt",
    "sort -o/tmp/out notes.txt",
    "sort -ro/tmp/out notes.txt",
    "tree -o/tmp/out",
    "ss -D/tmp/dump",
    "systemctl -Hroot@host status nginx",
    "sort --comp=./evil notes.txt",
    "date --se=2020-01-01",
    "ss --ki dst 10.0.0.1",
    "journalctl --vacuum-t=1s",
    "sha256sum --ch list.txt",
    "sort --compress-program=./evil notes.txt",
    "rg --pre ./evil a",
    "rg -z a",
    "tree -o /tmp/out",
    "file -C -m ./magic",
    "date -s 2020-01-01",
    "date --set=2020-01-01",
    "date 010112002020",
    "hostname evil",
    "hostname -F /tmp/name",
    "ss -K dst 10.0.0.1",
    "journalctl --vacuum-time=1s",
    "sha256sum -c list.txt",
    "wc --files0-from=list",
    "docker -H tcp://10.0.0.1:2375 ps",
    "docker --config /tmp/d ps",
    "systemctl -H root@host status nginx",
    "kubectl --kubeconfig /tmp/k get pods",
    "LD_PRELOAD=/tmp/x.so cat notes.txt",
    "BASH_ENV=/tmp/x cat notes.txt",
    "PATH=/tmp/bin:$PATH ls",
    "PATH=/tmp/bin; ls",
    "env LD_PRELOAD=/tmp/x.so ls",
    "env -C /tmp ls",
    "strace -o /tmp/trace ls",
    "flock /tmp/lock ls",
    "./ls",
    "/tmp/bin/cat notes.txt",
    "alias ls=id; ls",
    "LD_PRELOAD=/tmp/x.so /bin/echo hi",
    "cat < /dev/tcp/127.0.0.1/9",
    "cat notes.txt >& /tmp/copy",
    "env",
    "env -0",
    "sort -T /tmp/spill notes.txt",
    "file -z notes.txt",
    "nohup cat notes.txt",
  ]);
});

test("docker is read-only only while its CLI config keeps it local and runs no plugin", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  const docker = join(f.userHome, ".docker");
  mkdirSync(join(docker, "cli-plugins"), { recursive: true });
  writeFileSync(join(docker, "config.json"), '{"auths":{},"currentContext":"default"}');
  await assertFree(f, ["docker ps", "docker images"]);
  await assertPrompts(f, ["docker --context remote ps"]);
  writeFileSync(join(docker, "cli-plugins", "docker-evil"), "");
  await assertPrompts(f, ["docker info"]);
  writeFileSync(join(docker, "config.json"), '{"currentContext":"remote"}');
  await assertPrompts(f, ["docker ps", "docker logs web"]);
  writeFileSync(join(docker, "config.json"), '{"cliPluginsExtraDirs":["/tmp/p"]}');
  await assertPrompts(f, ["docker ps"]);
  writeFileSync(join(docker, "config.json"), "{not json");
  await assertPrompts(f, ["docker ps"]);
});

test("kubectl is read-only only while its kubeconfig runs no program", async (t) => {
  const f = policyFixture(t, { config: PERSONAL });
  mkdirSync(join(f.userHome, ".kube"));
  writeFileSync(
    join(f.userHome, ".kube", "config"),
    "clusters: []\nusers:\n- name: a\n  user:\n    token: x\n",
  );
  await assertFree(f, ["kubectl get pods"]);
  writeFileSync(
    join(f.userHome, ".kube", "config"),
    "users:\n- name: a\n  user:\n    exec:\n      command: ./evil\n",
  );
  await assertPrompts(f, ["kubectl get pods"]);
});
