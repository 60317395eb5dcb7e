import type { CliContext } from "../context.ts";
import {
  chatClientCheck,
  configSchemaCheck,
  crashLogCheck,
  daemonCheck,
  exposureCheck,
  fetchStatus,
  homePermissionChecks,
  loadForDoctor,
  nodeVersionCheck,
  secretsFileCheck,
  unknownKeyChecks,
  updateCheck,
} from "../doctor/checks.ts";
import { type CheckLine, formatCheck, print } from "../output.ts";

/** `netclaw doctor`: exit 0 all pass, 2 warnings only, 1 any failure. */
export async function doctorCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const state = loadForDoctor(context);
  const status = await fetchStatus(context);
  const checks: CheckLine[] = [
    configSchemaCheck(context, state),
    ...unknownKeyChecks(state),
    secretsFileCheck(context),
    exposureCheck(state),
    chatClientCheck(state),
    ...homePermissionChecks(context),
    crashLogCheck(context),
    nodeVersionCheck(),
    await updateCheck(state, status),
    await daemonCheck(context, status),
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
