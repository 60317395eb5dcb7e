import { type FSWatcher, watch } from "node:fs";
import { CONFIG_FILES, configFingerprint } from "../../config/config-fingerprint.ts";

const WATCHED = new Set<string>(CONFIG_FILES);

/**
 * Watches `config/netclaw.json` and `config/secrets.json` (through their directory, so the
 * atomic temp-file-and-rename writes of the CLI are seen) and calls `onChange` once per settled
 * change — debounced, and only when the content differs from what the running configuration was
 * loaded from. A change written between loading and watching is not lost.
 */
export function watchConfig(options: {
  dir: string;
  /** The fingerprint of the files the running configuration was loaded from. */
  loaded: string;
  debounceMs?: number;
  /** Called with the fingerprint of the files now on disk. */
  onChange: (fingerprint: string) => void;
}): { close(): void } {
  let applied = options.loaded;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const settle = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      const now = configFingerprint(options.dir);
      if (now === applied) return;
      applied = now;
      options.onChange(now);
    }, options.debounceMs ?? 500);
    timer.unref();
  };
  try {
    watcher = watch(options.dir, { persistent: false }, (_event, name) => {
      if (name === null || WATCHED.has(String(name))) settle();
    });
  } catch {
    // No watcher (the directory vanished): changes then apply at the next start.
  }
  if (configFingerprint(options.dir) !== applied) settle();
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
