import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { loadKeyFile } from "./key-file.ts";

/**
 * Local-control proof (ARCHITECTURE.md §7): proves the caller can read the daemon user's
 * `keys/local-control.key`, which is what entitles it to mint a pairing code.
 *
 * Wire format, base64url without padding:
 *   [ver=1][op=1][int64 BE issuedAt unix-ms][16-byte nonce][HMAC-SHA256 of the preceding 26 bytes]
 */
export const LOCAL_CONTROL_PROOF_VERSION = 1;
/** The only operation so far: create one pairing code. */
export const LOCAL_CONTROL_OP_PAIRING_CODE = 1;
/** A proof is accepted until this long after it was issued. */
export const PROOF_VALIDITY_MS = 30_000;
/** A proof issued up to this far in the daemon's future is accepted (clock skew). */
export const PROOF_MAX_FUTURE_SKEW_MS = 5_000;

const KEY_BYTES = 32;
const NONCE_BYTES = 16;
const BODY_BYTES = 2 + 8 + NONCE_BYTES;
const MAC_BYTES = 32;
const PROOF_BYTES = BODY_BYTES + MAC_BYTES;
/** base64url length of PROOF_BYTES; longer input is rejected before decoding. */
const PROOF_CHARS = Math.ceil((PROOF_BYTES * 4) / 3);

export type ProofFailureReason =
  | "malformed"
  | "bad_mac"
  | "unsupported_version"
  | "wrong_operation"
  | "expired"
  | "future";

export type ProofVerification =
  | {
      ok: true;
      /** Hex of the 16-byte nonce: the key to remember in the replay cache. */
      nonce: string;
      issuedAt: number;
      /** When the proof stops being valid; the nonce must be remembered at least until then. */
      expiresAt: number;
    }
  | { ok: false; reason: ProofFailureReason };

/**
 * Loads the 32-byte local-control key from `keyPath` (`<home>/keys/local-control.key`). The daemon
 * passes `create: true` (file 0600, dir 0700, never overwriting); the CLI passes `create: false`
 * and gets `undefined` when the daemon has not created it yet. Throws `KeyFileError` when the file
 * is unreadable (e.g. the CLI runs as another user) or not 32 bytes.
 */
export function loadOrCreateLocalControlKey(options: { keyPath: string; create: true }): Buffer;
export function loadOrCreateLocalControlKey(options: {
  keyPath: string;
  create: boolean;
}): Buffer | undefined;
export function loadOrCreateLocalControlKey(options: {
  keyPath: string;
  create: boolean;
}): Buffer | undefined {
  return loadKeyFile({ path: options.keyPath, create: options.create, bytes: KEY_BYTES });
}

/**
 * Mints a pairing-code proof stamped with `now()`. `nonce` (16 bytes) defaults to fresh CSPRNG
 * bytes; pass one only in tests. Throws on a wrong-sized key or nonce (programming errors).
 */
export function mintProof(options: { key: Uint8Array; now: () => number; nonce?: Uint8Array }): string {
  if (options.key.length !== KEY_BYTES) throw new Error(`local-control key must be ${KEY_BYTES} bytes`);
  const nonce = options.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new Error(`nonce must be ${NONCE_BYTES} bytes`);
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(LOCAL_CONTROL_PROOF_VERSION, 0);
  body.writeUInt8(LOCAL_CONTROL_OP_PAIRING_CODE, 1);
  body.writeBigInt64BE(BigInt(Math.trunc(options.now())), 2);
  body.set(nonce, 10);
  return Buffer.concat([body, mac(options.key, body)]).toString("base64url");
}

/**
 * Checks a proof received from an untrusted caller. Never throws on bad input: anything that is not
 * a canonical proof string is `malformed`. Checks run in this order: version byte (so a newer CLI
 * gets `unsupported_version`), size, MAC (constant time), operation, age (`expired` when issued
 * more than 30 s ago, `future` when more than 5 s ahead). Replay is the caller's job: remember the
 * returned `nonce` until `expiresAt` (see the daemon's nonce cache) — only after this check passes.
 */
export function parseAndVerifyProof(options: {
  key: Uint8Array;
  proof: unknown;
  now: () => number;
}): ProofVerification {
  const { proof } = options;
  if (typeof proof !== "string" || proof.length === 0 || proof.length > PROOF_CHARS * 2) {
    return { ok: false, reason: "malformed" };
  }
  if (!/^[A-Za-z0-9_-]+$/.test(proof)) return { ok: false, reason: "malformed" };
  const raw = Buffer.from(proof, "base64url");
  // Reject non-canonical spellings so one proof has exactly one textual form.
  if (raw.length === 0 || raw.toString("base64url") !== proof) return { ok: false, reason: "malformed" };
  if (raw[0] !== LOCAL_CONTROL_PROOF_VERSION) return { ok: false, reason: "unsupported_version" };
  if (raw.length !== PROOF_BYTES) return { ok: false, reason: "malformed" };

  const body = raw.subarray(0, BODY_BYTES);
  const expected = mac(options.key, body);
  if (!timingSafeEqual(expected, raw.subarray(BODY_BYTES))) return { ok: false, reason: "bad_mac" };
  if (body[1] !== LOCAL_CONTROL_OP_PAIRING_CODE) return { ok: false, reason: "wrong_operation" };

  const issuedAt = Number(body.readBigInt64BE(2));
  const now = options.now();
  if (issuedAt > now + PROOF_MAX_FUTURE_SKEW_MS) return { ok: false, reason: "future" };
  if (now - issuedAt > PROOF_VALIDITY_MS) return { ok: false, reason: "expired" };
  return {
    ok: true,
    nonce: body.subarray(10).toString("hex"),
    issuedAt,
    expiresAt: issuedAt + PROOF_VALIDITY_MS,
  };
}

function mac(key: Uint8Array, body: Uint8Array): Buffer {
  return createHmac("sha256", key).update(body).digest();
}
