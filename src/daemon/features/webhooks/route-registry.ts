import { type FSWatcher, watch } from "node:fs";
import { notSupportedYet } from "../../../config/unsupported-keys.ts";
import {
  ensureWebhooksDir,
  listRouteNames,
  type RouteFileResult,
  readRouteFile,
  type WebhookRoute,
} from "../../../config/webhook-routes.ts";

export type RegistryLogger = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

export type RouteRegistry = {
  /** The route if its file is valid and enabled; undefined for unknown, invalid or disabled routes. */
  get(name: string): WebhookRoute | undefined;
  /** Every route file's state, for status and doctor. */
  list(): RouteFileResult[];
  /** Re-reads every file now (the watcher calls this after its debounce). */
  reload(): void;
  /** Resolves after the next reload completes (tests use it to wait for the watcher). */
  nextReload(): Promise<void>;
  /** Stops watching. Safe to call twice. */
  close(): void;
};

/**
 * Keeps the routes of `config/webhooks/*.json` in memory and re-reads them when the directory
 * changes (fs.watch, debounced by `debounceMs` so an editor's write-rename burst is one reload).
 * An invalid file is logged and its route disabled (404) until it is fixed; the registry never
 * throws after creation. The directory is created 0700 when missing.
 */
export function createRouteRegistry(options: {
  dir: string;
  logger: RegistryLogger;
  debounceMs?: number;
  watch?: boolean;
}): RouteRegistry {
  const debounceMs = options.debounceMs ?? 200;
  let routes = new Map<string, RouteFileResult>();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let waiters: Array<() => void> = [];

  const reload = () => {
    const next = new Map<string, RouteFileResult>();
    for (const name of listRouteNames(options.dir)) {
      const result = readRouteFile(options.dir, name);
      const before = routes.get(name);
      if (!result.ok) {
        if (before?.ok !== false || before.error !== result.error) {
          options.logger.warn(
            { route: name, problem: result.error },
            "Webhook route file is invalid; the route is disabled until the file is fixed",
          );
        }
      } else {
        if (result.looseMode && before?.ok !== true) {
          options.logger.warn(
            { route: name },
            "Webhook route file is readable by other users; run chmod 600 on it (it holds a secret)",
          );
        }
        const seen = before?.ok ? before.unsupported : [];
        for (const key of result.unsupported.filter((k) => !seen.includes(k)))
          options.logger.warn(
            { route: name, setting: key },
            `Webhook route ${name}: ${notSupportedYet(key)}`,
          );
      }
      next.set(name, result);
    }
    const changed = [...next.keys()]
      .filter((n) => !routes.has(n))
      .concat([...routes.keys()].filter((n) => !next.has(n)));
    if (changed.length > 0) options.logger.info({ routes: [...next.keys()] }, "Webhook routes loaded");
    routes = next;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      try {
        reload();
      } catch (error) {
        options.logger.warn({ err: (error as Error).message }, "Webhook route reload failed");
      }
    }, debounceMs);
    timer.unref();
  };

  try {
    ensureWebhooksDir(options.dir);
  } catch (error) {
    options.logger.warn(
      { dir: options.dir, err: (error as Error).message },
      "Cannot create the webhooks directory; no webhook routes are served",
    );
  }
  reload();
  if (options.watch !== false) {
    try {
      watcher = watch(options.dir, { persistent: false }, schedule);
      watcher.on("error", (error) => {
        options.logger.warn({ err: error.message }, "Watching webhook routes failed; restart to reload");
      });
    } catch (error) {
      options.logger.warn(
        { dir: options.dir, err: (error as Error).message },
        "Cannot watch the webhooks directory; route changes need a restart",
      );
    }
  }

  return {
    get(name) {
      const entry = routes.get(name);
      return entry?.ok && entry.route.Enabled ? entry.route : undefined;
    },
    list: () => [...routes.values()],
    reload,
    nextReload: () => new Promise((resolve) => waiters.push(resolve)),
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
