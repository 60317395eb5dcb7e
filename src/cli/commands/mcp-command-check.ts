import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

function runnable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the daemon will probably fail to start a stdio MCP server's `command`, or undefined when
 * it looks fine: a bare name is looked up on `PATH` (the server's own `PATH` from `--env` wins,
 * as it does when the daemon spawns it); a path must be a runnable file, and a relative one is
 * resolved against the daemon's working directory, not this shell's.
 */
export function commandWarning(options: {
  command: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): string | undefined {
  const { command } = options;
  if (isAbsolute(command))
    return runnable(command)
      ? undefined
      : `'${command}' is not an executable file; the daemon will fail to start this server.`;
  if (command.includes("/")) {
    const absolute = resolve(options.cwd, command);
    return runnable(absolute)
      ? `'${command}' is a relative path: the daemon resolves it against its own working directory, not this one. Use the absolute path: --command ${absolute}`
      : `'${command}' is not an executable file here, and the daemon resolves relative paths against its own working directory. Use an absolute path.`;
  }
  const path = options.env.PATH ?? "";
  const dirs = path.split(delimiter).filter(Boolean);
  if (dirs.some((dir) => runnable(join(dir, command)))) return undefined;
  return `'${command}' was not found on PATH. The server was added, but the daemon will fail to start it unless '${command}' is on the daemon's PATH: install it, or give the full path with --command.`;
}
