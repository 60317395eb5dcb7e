import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The files in `config/` a daemon's configuration is loaded from (the environment is not on disk). */
export const CONFIG_FILES = ["netclaw.json", "secrets.json"] as const;

/**
 * A digest of the configuration files as they are on disk, byte for byte. The daemon takes it
 * before loading (and reports it in its status); `netclaw status` takes it again to tell whether
 * the disk still says what the daemon runs. It is served only to authorized callers, and the
 * values in secrets.json are stored encrypted (`ENC:`, with a random nonce each), so it gives
 * nothing away about them.
 */
export function configFingerprint(configDir: string): string {
  const hash = createHash("sha256");
  for (const name of [...CONFIG_FILES].sort()) {
    try {
      hash.update(readFileSync(join(configDir, name)));
    } catch {
      hash.update(`missing:${name}`);
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}
