import type { CheckLine } from "../output.ts";

/**
 * The check that reports the daemon's whole-configuration verdict (checks.ts `configSchemaCheck`):
 * the first problem the loader or `validateConfig` finds, whatever its subject. A specific check
 * (Exposure Mode, Chat Client, Update …) may report the very same problem under its own name, and
 * a check that needs the configuration (Daemon: where is it?) may quote it as its reason.
 */
const GENERIC = "Config Schema";

/**
 * Each problem once, under its most specific name. The generic check's failure is owned by a
 * specific check that fails with the same message (Exposure Mode, Chat Client, Secrets File …),
 * else by the generic check itself. Every other line that reports it — the generic one, or a
 * check that merely quotes it as its own reason (Daemon: "cannot tell where the daemon is: …") —
 * keeps its place as an info line pointing at the owner; the exit code stays 1 through the
 * owner. A problem only one check reports is left exactly as it is.
 */
export function oneLinePerProblem(checks: CheckLine[]): CheckLine[] {
  const generic = checks.find((check) => check.name === GENERIC && check.severity === "fail");
  if (!generic) return checks;
  const problem = generic.message;
  const owner =
    checks.find((other) => other !== generic && other.severity === "fail" && other.message === problem) ??
    generic;
  return checks.map((check): CheckLine => {
    if (check === owner) return check;
    if (check === generic)
      return {
        name: GENERIC,
        severity: "info",
        message: `the daemon refuses this configuration: see ${owner.name}`,
      };
    if (check.severity === "fail" && check.message.includes(problem))
      return {
        name: check.name,
        severity: "info",
        message: `not checked: the configuration is refused (see ${owner.name})`,
      };
    return check;
  });
}
