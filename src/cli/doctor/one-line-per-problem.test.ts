import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckLine } from "../output.ts";
import { oneLinePerProblem } from "./one-line-per-problem.ts";

const fail = (name: string, message: string): CheckLine => ({
  name,
  severity: "fail",
  message,
  remediation: "x",
});

test("a problem the generic check shares with a specific one is shown once, under the specific name", () => {
  const checks = [fail("Config Schema", "bad host"), fail("Exposure Mode", "bad host")];
  assert.deepEqual(oneLinePerProblem(checks), [
    {
      name: "Config Schema",
      severity: "info",
      message: "the daemon refuses this configuration: see Exposure Mode",
    },
    checks[1],
  ]);
});

test("a problem only the generic check reports, or a different one, is kept", () => {
  const only = [
    fail("Config Schema", "invalid JSON"),
    { name: "Exposure Mode", severity: "info", message: "skipped" } as CheckLine,
  ];
  assert.deepEqual(oneLinePerProblem(only), only);
  const different = [fail("Config Schema", "bad host"), fail("Chat Client", "no Type")];
  assert.deepEqual(oneLinePerProblem(different), different);
  const sameButWarn = [
    fail("Config Schema", "m"),
    { name: "Update", severity: "warn", message: "m" } as CheckLine,
  ];
  assert.deepEqual(oneLinePerProblem(sameButWarn), sameButWarn);
});

test("a check that only quotes the generic check's problem points back instead of repeating it", () => {
  const checks = [
    fail("Config Schema", "netclaw.json contains '__proto__'"),
    fail("Daemon", "cannot tell where the daemon is: netclaw.json contains '__proto__'"),
    fail("Node.js", "too old"),
  ];
  assert.deepEqual(oneLinePerProblem(checks), [
    checks[0],
    {
      name: "Daemon",
      severity: "info",
      message: "not checked: the configuration is refused (see Config Schema)",
    },
    checks[2],
  ]);
});

test("a quoted problem points at the specific owner when there is one", () => {
  const checks = [
    fail("Config Schema", "secrets.json has 'prototype'"),
    fail("Secrets File", "secrets.json has 'prototype'"),
    fail("Daemon", "cannot tell where the daemon is: secrets.json has 'prototype'"),
  ];
  assert.deepEqual(
    oneLinePerProblem(checks).map((c) => `${c.severity} ${c.name}: ${c.message}`),
    [
      "info Config Schema: the daemon refuses this configuration: see Secrets File",
      "fail Secrets File: secrets.json has 'prototype'",
      "info Daemon: not checked: the configuration is refused (see Secrets File)",
    ],
  );
});
