import assert from "node:assert/strict";
import { test } from "node:test";
import { compareSemVer, parseSemVer, parseUpdateChannel } from "./update-feed.ts";

const cmp = (a: string, b: string) => Math.sign(compareSemVer(parseSemVer(a)!, parseSemVer(b)!));

test("SemVer 2.0 precedence", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
  ];
  for (let i = 0; i < ordered.length - 1; i++)
    assert.equal(cmp(ordered[i]!, ordered[i + 1]!), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  assert.equal(cmp("1.2.3+build.5", "1.2.3"), 0);
  assert.equal(cmp("v1.2.3", "1.2.3"), 0);
  assert.equal(parseSemVer("1.2"), undefined);
  assert.equal(parseSemVer("latest"), undefined);
});

test("update channels", () => {
  assert.equal(parseUpdateChannel(" Beta "), "beta");
  assert.deepEqual(parseUpdateChannel("nightly"), {
    message: "Unknown UpdateChannel value: 'nightly'. Valid values: stable, beta.",
    remediation: "Set Daemon.UpdateChannel to stable or beta, or remove it to use stable.",
  });
});
