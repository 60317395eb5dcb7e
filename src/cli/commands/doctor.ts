import { existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { toolPolicyChecks } from "../../config/tool-policy-checks.ts";
import type { CliContext } from "../context.ts";
import {
  chatClientCheck,
  configSchemaCheck,
  configWarningChecks,
  crashLogCheck,
  daemonCheck,
  fetchStatus,
  homePermissionChecks,
  loadForDoctor,
  nodeVersionCheck,
  updateCheck,
} from "../doctor/checks.ts";
import { backupBeforeFixes, type Fix, planFixes } from "../doctor/fixes.ts";
import { mcpServerChecks } from "../doctor/mcp-checks.ts";
import { memoryCheck } from "../doctor/memory-checks.ts";
import { oneLinePerProblem } from "../doctor/one-line-per-problem.ts";
import { exposureChecks, secretsFileCheck } from "../doctor/security-checks.ts";
import { type CheckLine, formatCheck, print } from "../output.ts";

export type DoctorOptions = { json?: boolean; fix?: boolean; dryRun?: boolean; yes?: boolean };

async function runChecks(context: CliContext): Promise<CheckLine[]> {
  const state = loadForDoctor(context);
  const status = await fetchStatus(context);
  return oneLinePerProblem([
    configSchemaCheck(context, state),
    ...configWarningChecks(state),
    secretsFileCheck(context),
    ...exposureChecks(context, state),
    ...(state.loaded
      ? toolPolicyChecks({ config: state.loaded.config, approvalsFile: context.paths.approvalsFile })
      : []),
    chatClientCheck(state),
    ...homePermissionChecks(context),
    crashLogCheck(context),
    nodeVersionCheck(),
    await updateCheck(state, status),
    await daemonCheck(context, status),
    ...mcpServerChecks(state, status),
    ...memoryCheck(status),
  ]);
}

/**
 * `netclaw doctor [--fix [--dry-run] [--yes]]`: exit 0 all pass, 2 warnings only, 1 any failure.
 * `--fix` shows what it will change, asks, backs up every file it touches, repairs, re-checks.
 */
export async function doctorCommand(context: CliContext, options: DoctorOptions): Promise<number> {
  const fixRequested = Boolean(options.fix || options.dryRun);
  let fixes: Fix[] = [];
  let applied = false;
  let backup: string | undefined;
  if (fixRequested) {
    fixes = planFixes(context.paths, context.env);
    if (!options.json) {
      if (fixes.length === 0) print("Nothing to fix.");
      else {
        print("Planned fixes:");
        for (const fix of fixes) print(`  - ${fix.path}: ${fix.description}`);
      }
    }
    if (fixes.length > 0 && !options.dryRun) {
      if (!options.yes && !(await confirm(Boolean(options.json)))) {
        if (!options.json) print("No changes made.");
        return 1;
      }
      backup = backupBeforeFixes(context.paths, fixes);
      for (const fix of fixes) fix.apply();
      applied = true;
      if (!options.json)
        print(`Applied ${fixes.length} fix(es)${backup ? `; the previous files are in ${backup}` : ""}.`);
    }
  }
  const checks = await runChecks(context);
  const exitCode = checks.some((c) => c.severity === "fail")
    ? 1
    : checks.some((c) => c.severity === "warn")
      ? 2
      : 0;
  if (options.json) {
    const report = {
      exitCode,
      checks: checks.map((c) => ({
        name: c.name,
        severity: c.severity,
        message: c.message,
        remediation: c.remediation ?? null,
      })),
      fix: {
        requested: fixRequested,
        dryRun: Boolean(options.dryRun),
        changedFiles: applied ? changedFiles(fixes) : [],
        backup: backup ?? null,
        files: fixes.map((f) => ({ path: f.path, description: f.description })),
      },
    };
    print(JSON.stringify(report, null, 2));
  } else {
    for (const check of checks) print(formatCheck(check));
    print(`doctor exit code: ${exitCode}`);
  }
  return exitCode;
}

/**
 * Asks on stdin (a terminal, or a piped answer for scripts); anything but y/yes — including
 * stdin closing without an answer — is no. With `--json` the question goes to stderr so stdout
 * stays one JSON document.
 */
async function confirm(json: boolean): Promise<boolean> {
  const output = json ? process.stderr : process.stdout;
  const rl = createInterface({ input: process.stdin, output, terminal: Boolean(process.stdin.isTTY) });
  const closed = new Promise<string>((resolve) => rl.once("close", () => resolve("")));
  const answer = await Promise.race([rl.question("Apply these fixes? [y/N]: "), closed]);
  rl.close();
  if (!process.stdin.isTTY) output.write("\n");
  return ["y", "yes"].includes(answer.trim().toLowerCase());
}

/** The files (not directories) the applied fixes changed. */
function changedFiles(fixes: Fix[]): string[] {
  return [...new Set(fixes.map((f) => f.path))].filter((path) => existsSync(path) && statSync(path).isFile());
}
