import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * A home's identity: 32 random hex characters in `config/home-id`, made once by whatever lays
 * out the home (`ensureHome`). The daemon answers to it and the CLI sends the id of its own home
 * with every request, so a CLI never talks to — or sends a prompt to — another home's daemon
 * that happens to listen on the port it derived. Not a secret: it proves nothing, it only names.
 */
const HOME_ID = /^[0-9a-f]{32}$/;

/** The id stored in the home, or undefined when there is none (no daemon ever laid it out) or it is damaged. */
export function readHomeId(path: string): string | undefined {
  try {
    const text = readFileSync(path, "utf8").trim();
    return HOME_ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The home's id, created when missing or damaged. Creation is a hard link of a fully written
 * temp file, so two processes laying out the same home at once agree on one id and no reader
 * ever sees a half-written file. Throws the file-system error when the config dir is not writable.
 */
export function ensureHomeId(path: string): string {
  const existing = readHomeId(path);
  if (existing) return existing;
  const id = randomBytes(16).toString("hex");
  const tmp = join(dirname(path), `.home-id.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(tmp, `${id}\n`, { mode: 0o644, flag: "wx" });
  try {
    linkSync(tmp, path);
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = readHomeId(path);
    if (winner) return winner;
    // A damaged file (not one we raced with): replace it.
    writeFileSync(path, `${id}\n`, { mode: 0o644 });
    return id;
  } finally {
    unlinkSync(tmp);
  }
}
