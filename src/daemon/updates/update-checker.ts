import { checkForUpdate, type UpdateChannel, type UpdateResult } from "../../config/update-feed.ts";
import type { UpdateState } from "../status.ts";

export type UpdateCheckerOptions = {
  feedUrl: string;
  channel: UpdateChannel;
  currentVersion: string;
  selfUpdateDisabled: boolean;
  intervalMs: number;
  timeoutMs?: number;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => Date;
};

/**
 * Checks the release feed at start and then every `intervalMs` (24 h by default), never
 * blocking anything: the result only feeds `/api/health/status`. Logs one line the first time
 * a given newer version is seen.
 */
export function createUpdateChecker(options: UpdateCheckerOptions) {
  const now = options.now ?? (() => new Date());
  let last: UpdateResult | undefined;
  let checkedAt: string | null = null;
  let announced: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const check = async () => {
    const result = await checkForUpdate({
      feedUrl: options.feedUrl,
      channel: options.channel,
      currentVersion: options.currentVersion,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    last = result;
    checkedAt = now().toISOString();
    if (result.state === "update-available" && announced !== result.latestVersion) {
      announced = result.latestVersion;
      const how = options.selfUpdateDisabled
        ? "Pull a newer container image to upgrade."
        : "Run 'netclaw update' to upgrade.";
      options.logger.warn(
        { currentVersion: result.currentVersion, latestVersion: result.latestVersion },
        `Netclaw update available: ${result.currentVersion} → ${result.latestVersion}. ${how}`,
      );
    }
  };
  const checkOnce = () => {
    running ??= check().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      void checkOnce();
      timer = setInterval(() => void checkOnce(), options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    checkNow: checkOnce,
    state(): UpdateState {
      const base = {
        channel: options.channel,
        selfUpdateDisabled: options.selfUpdateDisabled,
        checkedAt,
        currentVersion: options.currentVersion,
      };
      if (!last)
        return {
          ...base,
          state: "unknown",
          latestVersion: null,
          message: "The update check has not finished yet.",
        };
      if (last.state === "unknown")
        return { ...base, state: "unknown", latestVersion: null, message: last.message };
      return { ...base, state: last.state, latestVersion: last.latestVersion };
    },
  };
}
