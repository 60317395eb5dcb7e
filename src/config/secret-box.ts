import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { NetclawError } from "../protocol/errors.ts";
import { loadKeyFile } from "./key-file.ts";

/** Every encrypted value starts with this; anything else with `ENC:` is a format we cannot read. */
export const ENCRYPTED_PREFIX = "ENC:";
const V1_PREFIX = "ENC:v1:";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds ciphertexts to this scheme so they cannot be replayed into another use of the same key. */
const AAD = Buffer.from("netclaw.secrets.v1", "utf8");

/**
 * A stored secret cannot be decrypted: the key file was lost or replaced, or the value was altered.
 * The message names the dotted keys and the fix, never the stored value.
 */
export class SecretUndecryptableError extends NetclawError {
  readonly dottedKeys: readonly string[];

  constructor(options: { dottedKeys: readonly string[] }) {
    const keys = options.dottedKeys;
    const [first] = keys;
    const message =
      keys.length === 1 && first !== undefined
        ? `Cannot decrypt secret '${first}': the secrets key file (keys/secrets.key) was lost or changed since the value was stored, or the stored value was altered. Re-enter it with \`netclaw secrets set ${first} <value>\`.`
        : keys.length === 0
          ? "Cannot decrypt a stored secret: the secrets key file (keys/secrets.key) was lost or changed since the value was stored, or the stored value was altered. Re-enter it with `netclaw secrets set <Key> <value>`."
          : `Cannot decrypt secrets ${keys.map((k) => `'${k}'`).join(", ")}: the secrets key file (keys/secrets.key) was lost or changed since the values were stored, or the stored values were altered. Re-enter each with \`netclaw secrets set <Key> <value>\`.`;
    super("secret_undecryptable", message, { status: 500 });
    this.dottedKeys = keys;
  }
}

/**
 * Loads the 32-byte secrets key from `keyPath` (`<home>/keys/secrets.key`). With `create`, a
 * missing key is generated (dir 0700, file 0600, never overwriting an existing one); without it, a
 * missing key yields `undefined` — plaintext leaves still load, encrypted ones will not.
 * Throws `KeyFileError` when the file is unreadable or not 32 bytes.
 */
export function loadOrCreateSecretKey(options: { keyPath: string; create: true }): Buffer;
export function loadOrCreateSecretKey(options: { keyPath: string; create: boolean }): Buffer | undefined;
export function loadOrCreateSecretKey(options: { keyPath: string; create: boolean }): Buffer | undefined {
  return loadKeyFile({ path: options.keyPath, create: options.create, bytes: KEY_BYTES });
}

/** True for any `ENC:`-prefixed string, including formats this version cannot decrypt. */
export function isEncrypted(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(ENCRYPTED_PREFIX);
}

/** Encrypts with AES-256-GCM and a fresh random IV: `ENC:v1:<base64url(iv ‖ ciphertext ‖ tag)>`. */
export function encryptValue(key: Uint8Array, plaintext: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return V1_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

/**
 * Decrypts a value made by {@link encryptValue}. Throws {@link SecretUndecryptableError} (without a
 * dotted key; {@link decryptLeaves} adds it) when the key is wrong or missing, the value was altered,
 * or the format is unknown.
 */
export function decryptValue(key: Uint8Array | undefined, value: string): string {
  const plaintext = tryDecrypt(key, value);
  if (plaintext === undefined) throw new SecretUndecryptableError({ dottedKeys: [] });
  return plaintext;
}

function tryDecrypt(key: Uint8Array | undefined, value: string): string | undefined {
  if (key === undefined || !value.startsWith(V1_PREFIX)) return undefined;
  assertKey(key);
  const encoded = value.slice(V1_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return undefined;
  const raw = Buffer.from(encoded, "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined; // authentication failed: wrong key or altered value
  }
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
}

/** A JSON value as parsed from a config or secrets file. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Returns a copy of `tree` with every string leaf encrypted; leaves that are already `ENC:` are
 * kept as they are (never double-encrypted). Non-string leaves are copied unchanged.
 */
export function encryptLeaves(tree: JsonValue, key: Uint8Array): JsonValue {
  return mapLeaves(tree, [], (leaf) => (isEncrypted(leaf) ? leaf : encryptValue(key, leaf)));
}

/**
 * Returns a copy of `tree` with every encrypted leaf decrypted. Plaintext string leaves (written by
 * hand) are kept and their dotted paths reported in `plaintextPaths` so `doctor` can warn.
 * Throws {@link SecretUndecryptableError} naming every leaf that could not be decrypted; `key` may
 * be `undefined` (key file missing), which makes every encrypted leaf undecryptable.
 */
export function decryptLeaves(
  tree: JsonValue,
  key: Uint8Array | undefined,
): { value: JsonValue; plaintextPaths: string[] } {
  const plaintextPaths: string[] = [];
  const failed: string[] = [];
  const value = mapLeaves(tree, [], (leaf, path) => {
    if (!isEncrypted(leaf)) {
      plaintextPaths.push(path.join("."));
      return leaf;
    }
    const plaintext = tryDecrypt(key, leaf);
    if (plaintext === undefined) {
      failed.push(path.join("."));
      return "";
    }
    return plaintext;
  });
  if (failed.length > 0) throw new SecretUndecryptableError({ dottedKeys: failed });
  return { value, plaintextPaths };
}

function mapLeaves(node: JsonValue, path: string[], fn: (leaf: string, path: string[]) => string): JsonValue {
  if (typeof node === "string") return fn(node, path);
  if (Array.isArray(node)) return node.map((item, i) => mapLeaves(item, [...path, String(i)], fn));
  if (node !== null && typeof node === "object") {
    // fromEntries defines own properties, so a "__proto__" key stays data instead of a prototype.
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, mapLeaves(v, [...path, k], fn)] as const),
    );
  }
  return node;
}
