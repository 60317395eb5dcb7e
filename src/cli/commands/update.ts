import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { editConfigFile } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { setPath } from "../../config/tree.ts";
import { checkForUpdate, PACKAGE_NAME, parseUpdateChannel } from "../../config/update-feed.ts";
import { buildInfo } from "../../protocol/build-info.ts";
import type { CliContext } from "../context.ts";
import { print, printError, UsageError } from "../output.ts";
import { daemonStart, daemonStop, runningPid } from "./daemon.ts";

export type UpdateOptions = { check?: boolean; channel?: string; yes?: boolean };

const DISABLED =
  "Self-update is disabled (Daemon.DisableSelfUpdate=true). Pull a newer container image to upgrade.";

/**
 * `netclaw update [--check] [--channel stable|beta] [--yes]`: compares this build with the
 * channel's newest release on the npm registry; upgrades the global npm package when asked and
 * restarts a running daemon. Exit 0 up to date or updated, 1 disabled/failed, 2 usage.
 */
export async function updateCommand(context: CliContext, options: UpdateOptions): Promise<number> {
  let loaded: ReturnType<typeof loadHomeConfig>;
  try {
    loaded = loadHomeConfig({ paths: context.paths, env: context.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`error: ${error.message}\n       fix: ${error.remediation}`);
    return 1;
  }
  const daemon = loaded.config.Daemon;
  if (daemon.DisableSelfUpdate) {
    printError(DISABLED);
    return 1;
  }
  let channelValue = daemon.UpdateChannel;
  if (options.channel !== undefined) {
    const parsed = parseUpdateChannel(options.channel);
    if (typeof parsed === "object") throw new UsageError(parsed.message);
    try {
      // The one validation of every netclaw.json writer: nothing the daemon would refuse is written.
      editConfigFile({
        paths: context.paths,
        env: context.env,
        edit: (file) => setPath(file, ["Daemon", "UpdateChannel"], parsed), // keys match case-insensitively
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      printError(`error: ${error.message}\n       fix: ${error.remediation}`);
      printError(`Nothing was written; ${context.paths.configFile} is unchanged.`);
      return 1;
    }
    print(`Update channel set to ${parsed} in ${context.paths.configFile}.`);
    channelValue = parsed;
  }
  const channel = parseUpdateChannel(channelValue);
  if (typeof channel === "object") {
    printError(`error: ${channel.message}\n       fix: ${channel.remediation}`);
    return 1;
  }
  const current = buildInfo().version;
  const result = await checkForUpdate({
    feedUrl: daemon.UpdateFeedUrl,
    channel,
    currentVersion: current,
    timeoutMs: 10_000,
  });
  if (result.state === "unknown") {
    printError(`Could not check for updates: ${result.message} (feed ${daemon.UpdateFeedUrl}).`);
    return 1;
  }
  if (result.state === "up-to-date") {
    print(`Netclaw is up to date (v${current}).`);
    return 0;
  }
  print(`Update available: v${current} → v${result.latestVersion}`);
  if (options.check) return 0;

  const install = ["install", "-g", `${PACKAGE_NAME}@${result.latestVersion}`];
  if (daemon.UpdateFeedUrl !== "https://registry.npmjs.org") install.push("--registry", daemon.UpdateFeedUrl);
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      print(`To upgrade, run: npm ${install.join(" ")}  (or \`netclaw update --yes\`)`);
      return 1;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question("Proceed with update? [y/N]: ")).trim().toLowerCase();
    rl.close();
    if (answer !== "y" && answer !== "yes") {
      print("Update cancelled.");
      return 1;
    }
  }
  const wasRunning = runningPid(context) !== undefined && !context.inContainer;
  const npm = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", install, {
    stdio: "inherit",
    env: context.env,
  });
  if (npm.status !== 0) {
    printError(
      `npm ${install.join(" ")} failed (exit ${npm.status ?? npm.signal}); nothing was changed by netclaw.`,
    );
    return 1;
  }
  if (wasRunning) {
    await daemonStop(context);
    if ((await daemonStart(context)) !== 0) return 1;
  }
  print(`Updated to v${result.latestVersion}.`);
  return 0;
}
