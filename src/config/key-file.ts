import { randomBytes as cryptoRandomBytes } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { NetclawError } from "../protocol/errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";

/** A key file exists but cannot be used: unreadable, or not the expected size. */
export class KeyFileError extends NetclawError {
  readonly path: string;

  constructor(options: { code: string; path: string; message: string; cause?: unknown }) {
    super(options.code, options.message, { status: 500, cause: options.cause });
    this.path = options.path;
  }
}

export type LoadKeyFileOptions = {
  /** Absolute path of the key file, e.g. `<home>/keys/secrets.key`. */
  path: string;
  /** Create the file (and its directory, 0700) with fresh random bytes when it is missing. */
  create: boolean;
  /** Exact key length in bytes. */
  bytes: number;
  /** Randomness source; defaults to the CSPRNG. */
  randomBytes?: (size: number) => Uint8Array;
};

/**
 * Reads a raw binary key file. When it is missing, returns `undefined` unless `create` is set, in
 * which case a fresh key is written (directory 0700, file 0600) and returned.
 *
 * Creation never overwrites an existing key, even when two processes race: the key is written to
 * a private temp file and then hard-linked into place, which fails if the target already exists —
 * the loser reads the winner's key. (A rename would silently replace a key that may already have
 * encrypted data.) Throws {@link KeyFileError} when the file is unreadable or has the wrong length;
 * the message names the file, never its content.
 */
export function loadKeyFile(options: LoadKeyFileOptions & { create: true }): Buffer;
export function loadKeyFile(options: LoadKeyFileOptions): Buffer | undefined;
export function loadKeyFile(options: LoadKeyFileOptions): Buffer | undefined {
  const existing = readKey(options);
  if (existing !== undefined || !options.create) return existing;

  const dir = dirname(options.path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // the directory may predate us with a looser mode
  const random = options.randomBytes ?? cryptoRandomBytes;
  const key = Buffer.from(random(options.bytes));
  if (key.length !== options.bytes) {
    throw new Error(`randomBytes returned ${key.length} bytes, expected ${options.bytes}`);
  }
  const tmp = join(dir, `.${basename(options.path)}.${cryptoRandomBytes(6).toString("hex")}.new`);
  writeFileAtomic(tmp, key, { mode: 0o600, forceMode: true });
  try {
    linkSync(tmp, options.path);
  } catch (error) {
    if (!isErrnoCode(error, "EEXIST")) throw error;
    // Another process created the key first: use theirs.
    return readKey(options);
  } finally {
    unlinkSync(tmp);
  }
  return key;
}

function readKey(options: LoadKeyFileOptions): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(options.path);
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return undefined;
    if (isErrnoCode(error, "EACCES") || isErrnoCode(error, "EPERM")) {
      throw new KeyFileError({
        code: "key_file_unreadable",
        path: options.path,
        message: `Cannot read key file '${options.path}' (permission denied). Run the command as the user that runs netclawd, which owns the key files.`,
        cause: error,
      });
    }
    throw error;
  }
  if (data.length !== options.bytes) {
    throw new KeyFileError({
      code: "key_file_invalid",
      path: options.path,
      message: `Key file '${options.path}' holds ${data.length} bytes but a netclaw key is exactly ${options.bytes} bytes, so it is damaged or not a netclaw key. Restore it from a backup; if it is lost, delete it and re-enter what it protected.`,
    });
  }
  return data;
}

export function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
