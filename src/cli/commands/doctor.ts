import type { CliContext } from "../context.ts";
import {
  chatClientCheck,
  configSchemaCheck,
  crashLogCheck,
  daemonCheck,
  homePermissionChecks,
  loadForDoctor,
  nodeVersionCheck,
  unknownKeyChecks,
} from "../doctor/checks.ts";
import { type FixReport, runDoctorFixes } from "../doctor/fix.ts";
import { exposureChecks, secretsFileCheck } from "../doctor/security-checks.ts";
import { type CheckLine, formatCheck, print } from "../output.ts";

/** `netclaw doctor`: exit 0 all pass, 2 warnings only, 1 any failure. */
export async function doctorCommand(
  context: CliContext,
  options: { json?: boolean; fix?: boolean; dryRun?: boolean; yes?: boolean },
): Promise<number> {
  const fix: FixReport | undefined = options.fix
    ? await runDoctorFixes(context, {
        dryRun: options.dryRun ?? false,
        yes: options.yes ?? false,
        json: options.json ?? false,
      })
    : undefined;
  const state = loadForDoctor(context);
  const checks: CheckLine[] = [
    configSchemaCheck(context, state),
    ...unknownKeyChecks(state),
    secretsFileCheck(context),
    ...exposureChecks(context, state),
    chatClientCheck(state),
    ...homePermissionChecks(context),
    crashLogCheck(context),
    nodeVersionCheck(),
    await daemonCheck(context),
  ];
  const exitCode = checks.some((c) => c.severity === "fail")
    ? 1
    : checks.some((c) => c.severity === "warn")
      ? 2
      : 0;
  if (options.json) {
    print(
      JSON.stringify(
        {
          exitCode,
          checks: checks.map((c) => ({
            name: c.name,
            severity: c.severity,
            message: c.message,
            remediation: c.remediation ?? null,
          })),
          fix: fix ?? { requested: false, dryRun: false, changedFiles: [], files: [] },
        },
        null,
        2,
      ),
    );
  } else {
    for (const check of checks) print(formatCheck(check));
    print(`doctor exit code: ${exitCode}`);
  }
  return exitCode;
}
