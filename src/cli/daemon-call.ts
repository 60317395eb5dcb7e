import { DaemonResponseError, DaemonUnreachableError, WrongDaemonError } from "./client.ts";
import { type CliContext, unreachableFix, wrongDaemonFix } from "./context.ts";
import { formatCheck, print, printError } from "./output.ts";

/**
 * Runs a command's daemon call: an unreachable daemon becomes the `[FAIL] <name>: unable to reach
 * daemon …` line with its fix, another home's daemon an `error:` line with its fix, an error
 * answer `error: <message>`; all exit 1.
 */
export async function daemonCall(
  context: CliContext,
  name: string,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DaemonUnreachableError) {
      print(
        formatCheck({
          name,
          severity: "fail",
          message: `unable to reach daemon at ${error.url}: ${error.message}`,
          remediation: unreachableFix(context),
        }),
      );
      return 1;
    }
    if (error instanceof WrongDaemonError) {
      printError(`error: ${error.message}`);
      printError(`       fix: ${wrongDaemonFix(context, error.url)}`);
      return 1;
    }
    if (error instanceof DaemonResponseError) {
      printError(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
