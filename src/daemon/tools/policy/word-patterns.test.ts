import assert from "node:assert/strict";
import { test } from "node:test";
import { ANY, parseShell } from "./shell-parse.ts";
import { expandBraces, isOnlyUnknown, normalizeDotDot, patternRegex, procAlias } from "./word-patterns.ts";

const pattern = (command: string, vars: Record<string, string> = {}) =>
  parseShell(command, { vars }).segments.find((s) => s.words[0]?.text === "cat")!.words[1]!.pattern;

test("a word's pattern keeps unquoted glob and brace characters and escapes quoted ones", () => {
  assert.equal(pattern("cat /a/{b,c}/*"), "/a/{b,c}/*");
  assert.equal(pattern("cat '/a/{b,c}/*'"), "/a/\\{b\\,c\\}/\\*");
  assert.equal(pattern('cat "/a/"k*'), "/a/k*");
  assert.equal(pattern("cat /a/\\*"), "/a/\\*");
  assert.equal(pattern("cat $X/keys"), `${ANY}/keys`);
  assert.equal(pattern("cat $(pwd)/keys"), `${ANY}/keys`);
  assert.equal(pattern("cat ~/x", { HOME: "/home/u" }), "/home/u/x");
  assert.equal(pattern("cat ~other/x", { HOME: "/home/u" }), `${ANY}/x`);
  assert.equal(pattern("cat $'\\x2fetc/pass\\167d'"), "/etc/passwd");
  assert.equal(pattern("cat \"$'x'\""), "$'x'");
  assert.equal(pattern("cat /a/@(b|c)"), "/a/*");
  assert.equal(pattern("cat /a/ke\\\nys"), "/a/keys");
  assert.equal(pattern('cat $"/a/b"'), "/a/b");
  assert.equal(pattern("cat if=~/x", { HOME: "/home/u" }), "if=/home/u/x");
  assert.equal(pattern("cat P=a:~/x", { HOME: "/home/u" }), "P=a:/home/u/x");
  assert.equal(pattern("cat --if=~/x", { HOME: "/home/u" }), "--if=~/x");
});

test("brace expansion: lists, sequences, nesting, escapes, and a bound", () => {
  assert.deepEqual(expandBraces("/h/{keys,x}/k")?.sort(), ["/h/keys/k", "/h/x/k"]);
  assert.deepEqual(expandBraces("{j..l}eys")?.sort(), ["jeys", "keys", "leys"]);
  assert.deepEqual(expandBraces("{a,{b,c}}d")?.sort(), ["ad", "bd", "cd"]);
  assert.deepEqual(expandBraces("\\{a,b\\}"), ["\\{a,b\\}"]);
  assert.deepEqual(expandBraces("{a}"), ["{a}"]);
  assert.equal(expandBraces("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"), undefined);
});

test("pattern regexes: components, unknown parts, dot files, ..", () => {
  assert.ok(patternRegex("/h/k*/s.key").test("/h/keys/s.key"));
  assert.ok(!patternRegex("/h/k*").test("/h/keys/s.key"));
  assert.ok(patternRegex(`${ANY}/keys/s.key`).test("/root/.netclaw/keys/s.key"));
  assert.ok(!patternRegex("/root/*/keys").test("/root/.netclaw/keys"), "no dotglob");
  assert.ok(patternRegex("/root/*/keys", true).test("/root/.netclaw/keys"), "dotglob");
  assert.ok(patternRegex("/root/.*/keys").test("/root/.netclaw/keys"));
  assert.equal(normalizeDotDot("/a/b*/../keys"), `${ANY}/keys`);
  assert.equal(normalizeDotDot("/a//./b"), "/a/b");
  assert.ok(isOnlyUnknown(`${ANY}/${ANY}`) && !isOnlyUnknown(`${ANY}/x`));
  assert.equal(procAlias("/proc/self/cwd/keys", "/h"), "/h/keys");
  assert.equal(procAlias("/proc/7/root/etc", "/h"), "/etc");
  assert.equal(procAlias("/proc/7/cwd/keys", "/h"), `${ANY}/keys`);
  assert.equal(procAlias("/proc/self/task/12/cwd/keys", "/h"), "/h/keys");
  assert.equal(procAlias("/proc/self/root/proc/self/cwd/keys", "/h"), "/h/keys");
});
