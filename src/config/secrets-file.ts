import { chmodSync, constants, copyFileSync, readFileSync } from "node:fs";
import { NetclawError } from "../protocol/errors.ts";
import { writeJsonAtomic } from "./atomic-write.ts";
import { isErrnoCode } from "./key-file.ts";
import {
  decryptLeaves,
  encryptLeaves,
  isEncrypted,
  type JsonValue,
  loadOrCreateSecretKey,
} from "./secret-box.ts";

/** `config/secrets.json` cannot be read or updated; the message names the file and the fix. */
export class SecretsFileError extends NetclawError {
  readonly path: string;

  constructor(options: { code: string; path: string; message: string }) {
    super(options.code, options.message, { status: 500 });
    this.path = options.path;
  }
}

export type SecretsTree = { [key: string]: JsonValue };

export type SecretsFileLocation = {
  /** `<home>/config/secrets.json`; its directory must exist. */
  secretsPath: string;
  /** `<home>/keys/secrets.key`. */
  keyPath: string;
};

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

/**
 * Stores `value` encrypted at `dottedKey` (e.g. `Providers.openrouter.ApiKey`, or root
 * `DeviceToken`), creating intermediate objects and keeping every other leaf. Segments match
 * existing keys case-insensitively and keep the spelling first written, as config keys do.
 * Hand-written plaintext leaves are encrypted on the way (already-encrypted ones are untouched).
 * Creates the secrets key on first use. The file is replaced atomically with mode 0600.
 * Throws {@link SecretsFileError} for an unreadable file, an invalid dotted key, or a path that
 * runs through a non-object value; `SecretUndecryptableError` is not thrown (nothing is decrypted).
 */
export function setSecret(options: SecretsFileLocation & { dottedKey: string; value: string }): void {
  const segments = parseDottedKey(options.dottedKey, options.secretsPath);
  const tree = readTree(options.secretsPath);
  let node: SecretsTree = tree;
  const spelled: string[] = []; // the path as the file spells it
  for (const [i, segment] of segments.entries()) {
    const existing = findKey(node, segment) ?? segment;
    spelled.push(existing);
    if (i === segments.length - 1) {
      node[existing] = options.value;
      break;
    }
    const child = Object.hasOwn(node, existing) ? node[existing] : undefined;
    if (child === undefined) {
      const created: SecretsTree = {};
      node[existing] = created;
      node = created;
    } else if (child !== null && typeof child === "object" && !Array.isArray(child)) {
      node = child;
    } else {
      const at = spelled.join(".");
      throw new SecretsFileError({
        code: "secrets_key_conflict",
        path: options.secretsPath,
        message: `Cannot set '${options.dottedKey}': '${at}' in '${options.secretsPath}' already holds a value, not a section. Remove '${at}' from the file or choose another key.`,
      });
    }
  }
  const key = loadOrCreateSecretKey({ keyPath: options.keyPath, create: true });
  writeJsonAtomic(options.secretsPath, encryptLeaves(tree, key), { mode: 0o600, forceMode: true });
}

/**
 * Removes the leaf or section at `dottedKey` (matched case-insensitively), leaving every other
 * entry as stored (nothing is decrypted). Sections the removal leaves empty go too: an empty
 * `Providers.<name>` left behind would read as a provider without a Type. Returns the key as the
 * file spelled it, or undefined when nothing was there; the file is rewritten atomically (0600)
 * only when something was removed. Throws {@link SecretsFileError} like {@link setSecret}.
 */
export function removeSecret(options: SecretsFileLocation & { dottedKey: string }): string | undefined {
  const segments = parseDottedKey(options.dottedKey, options.secretsPath);
  const tree = readTree(options.secretsPath);
  const trail: { node: SecretsTree; key: string }[] = [];
  let node: SecretsTree = tree;
  for (const [i, segment] of segments.entries()) {
    const existing = findKey(node, segment);
    if (existing === undefined) return undefined;
    trail.push({ node, key: existing });
    if (i === segments.length - 1) break;
    const child = node[existing];
    if (child === null || typeof child !== "object" || Array.isArray(child)) return undefined;
    node = child;
  }
  for (let i = trail.length - 1; i >= 0; i--) {
    const { node: parent, key } = trail[i]!;
    const value = parent[key];
    const emptied = i < trail.length - 1 && isEmptySection(value);
    if (i === trail.length - 1 || emptied) delete parent[key];
    else break;
  }
  writeJsonAtomic(options.secretsPath, tree, { mode: 0o600, forceMode: true });
  return trail.map((step) => step.key).join(".");
}

function isEmptySection(value: JsonValue | undefined): boolean {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

/**
 * The leaves stored in the secrets file, as dotted keys spelled as the file spells them, and
 * whether each is encrypted (`ENC:`). Nothing is decrypted, so this works without the key.
 * Throws {@link SecretsFileError} for an unreadable or invalid file; a missing file has none.
 */
export function listStoredSecrets(options: { secretsPath: string }): { key: string; encrypted: boolean }[] {
  const found: { key: string; encrypted: boolean }[] = [];
  const walk = (value: JsonValue, path: string[]) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else {
      found.push({ key: path.join("."), encrypted: isEncrypted(value) });
    }
  };
  walk(readTree(options.secretsPath), []);
  return found;
}

/**
 * Reads and decrypts the secrets file. A missing file is an empty tree. Plaintext leaves load as
 * they are and are listed in `plaintextPaths`. Never creates the key. Throws
 * {@link SecretsFileError} for invalid JSON, and `SecretUndecryptableError` when an encrypted leaf
 * cannot be decrypted (key file lost or changed, value altered).
 */
export function readSecrets(options: SecretsFileLocation): { value: SecretsTree; plaintextPaths: string[] } {
  const tree = readTree(options.secretsPath);
  const key = loadOrCreateSecretKey({ keyPath: options.keyPath, create: false });
  const { value, plaintextPaths } = decryptLeaves(tree, key);
  return { value: value as SecretsTree, plaintextPaths };
}

function readTree(path: string): SecretsTree {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return {};
    throw new SecretsFileError({
      code: "secrets_file_unreadable",
      path,
      message: `Cannot read secrets file '${path}' (${(error as NodeJS.ErrnoException).code ?? "error"}). Run the command as the user that owns the netclaw home.`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's own message quotes the text around the error, which may be a secret.
    throw invalid(path, "is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalid(path, "must contain a JSON object");
  }
  return parsed as SecretsTree;
}

function invalid(path: string, problem: string): SecretsFileError {
  return new SecretsFileError({
    code: "secrets_file_invalid",
    path,
    message: `Secrets file '${path}' ${problem}. Fix it by hand, or move it aside and re-enter each value with \`netclaw secrets set <Key> <value>\`.`,
  });
}

function parseDottedKey(dottedKey: string, secretsPath: string): string[] {
  const segments = dottedKey.split(".");
  for (const segment of segments) {
    if (segment.trim() === "" || segment !== segment.trim() || FORBIDDEN_SEGMENTS.has(segment)) {
      throw new SecretsFileError({
        code: "secrets_key_invalid",
        path: secretsPath,
        message: `Invalid secret key '${dottedKey}'. Use a dotted config path such as 'Providers.openrouter.ApiKey' or 'DeviceToken'.`,
      });
    }
  }
  return segments;
}

function findKey(node: SecretsTree, segment: string): string | undefined {
  const lower = segment.toLowerCase();
  return Object.keys(node).find((k) => k.toLowerCase() === lower);
}

/**
 * Encrypts every plaintext string leaf of the secrets file in place (doctor --fix), after copying
 * the file as it was to `backupPath` when given (0600, never overwritten). Already-encrypted leaves are kept
 * byte for byte. Returns the dotted keys it encrypted; with none, nothing is written. Throws like
 * {@link readSecrets} when a stored value cannot be decrypted — then nothing is changed.
 */
export function encryptPlaintextSecrets(options: SecretsFileLocation & { backupPath?: string }): string[] {
  const { plaintextPaths } = readSecrets(options);
  if (plaintextPaths.length === 0) return [];
  const tree = readTree(options.secretsPath);
  if (options.backupPath) {
    copyFileSync(options.secretsPath, options.backupPath, constants.COPYFILE_EXCL);
    chmodSync(options.backupPath, 0o600);
  }
  const key = loadOrCreateSecretKey({ keyPath: options.keyPath, create: true });
  writeJsonAtomic(options.secretsPath, encryptLeaves(tree, key), { mode: 0o600, forceMode: true });
  return plaintextPaths;
}
