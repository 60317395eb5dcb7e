import { createHash } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { join } from "node:path";

const WATCHED = new Set(["netclaw.json", "secrets.json"]);

/** A digest of the watched files; take it before loading the configuration it describes. */
export function configFingerprint(dir: string): string {
  const hash = createHash("sha256");
  for (const name of [...WATCHED].sort()) {
    try {
      hash.update(readFileSync(join(dir, name)));
    } catch {
      hash.update(`missing:${name}`);
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

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
  onChange: () => void;
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
      options.onChange();
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
