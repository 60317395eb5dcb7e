import { randomBytes as cryptoRandomBytes, timingSafeEqual } from "node:crypto";

/** 32 symbols without 0/O/1/I, so a byte % 32 picks one without bias. */
export const PAIRING_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_CODE_TTL_MS = 5 * 60_000;
/** Longer input is rejected before normalising (a formatted code is 9 characters). */
const MAX_INPUT_CHARS = 64;

export type IssuedPairingCode = {
  /** Eight characters, e.g. `ABCDEFGH`. */
  code: string;
  /** As shown to the user: `ABCD-EFGH`. */
  formattedCode: string;
  /** Unix ms. */
  expiresAt: number;
};

/** Opaque handle of a reserved code; pass it back to `consume` or `release`. */
export type PairingReservation = { readonly generation: number };

/**
 * - `no_live_code`: no code has been issued since the daemon started → the route answers 404.
 * - `invalid`: wrong, expired, already used, or being redeemed right now → 401
 *   `Invalid, expired, or already-used pairing code.` (and counts a failure for the lockout).
 */
export type PairingCodeRejection = "no_live_code" | "invalid";

export type ReserveResult =
  | { ok: true; reservation: PairingReservation }
  | { ok: false; reason: PairingCodeRejection };

export type PairingCodes = {
  /** Issues a fresh code; any previous code (even one being redeemed) stops being valid. */
  issue(): IssuedPairingCode;
  /**
   * Checks `input` (dashes and whitespace removed, uppercased) in constant time and, if it matches
   * the live code, reserves it: until released, nobody else can reserve it.
   */
  reserve(input: unknown): ReserveResult;
  /** The device was stored durably: the code is used up. No-op if it was replaced meanwhile. */
  consume(reservation: PairingReservation): void;
  /** Storing the device failed (or the name was taken): the code stays valid until it expires. */
  release(reservation: PairingReservation): void;
  /**
   * reserve → `commit()` → consume, serialised with every other `redeem` so a second attempt with
   * the same code waits and then sees the outcome of the first. If `commit` throws, the reservation
   * is released and the error rethrown.
   */
  redeem<T>(options: { input: unknown; commit: () => T | Promise<T> }): Promise<RedeemResult<T>>;
};

export type RedeemResult<T> = { ok: true; value: T } | { ok: false; reason: PairingCodeRejection };

type CodeState = {
  code: Buffer;
  expiresAt: number;
  generation: number;
  status: "live" | "reserved" | "used";
};

/**
 * One active pairing code at a time, held in memory only. The last issued code is kept after it
 * expires or is used so that late or repeated attempts get `invalid` (401), not `no_live_code`.
 */
export function createPairingCodes(options: {
  now: () => number;
  /** CSPRNG by default; tests inject deterministic bytes. */
  randomBytes?: (size: number) => Uint8Array;
  ttlMs?: number;
}): PairingCodes {
  const random = options.randomBytes ?? cryptoRandomBytes;
  const ttlMs = options.ttlMs ?? PAIRING_CODE_TTL_MS;
  let current: CodeState | undefined;
  let generation = 0;
  let queue: Promise<unknown> = Promise.resolve();

  function issue(): IssuedPairingCode {
    const bytes = random(PAIRING_CODE_LENGTH);
    if (bytes.length !== PAIRING_CODE_LENGTH) throw new Error("randomBytes returned the wrong size");
    let code = "";
    for (const byte of bytes) code += PAIRING_CODE_ALPHABET[byte % PAIRING_CODE_ALPHABET.length];
    generation += 1;
    const expiresAt = options.now() + ttlMs;
    current = { code: Buffer.from(code, "ascii"), expiresAt, generation, status: "live" };
    return { code, formattedCode: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
  }

  function reserve(input: unknown): ReserveResult {
    if (current === undefined) return { ok: false, reason: "no_live_code" };
    const candidate = normalisePairingCode(input);
    const matches =
      candidate !== undefined &&
      candidate.length === current.code.length &&
      timingSafeEqual(candidate, current.code);
    if (!matches || current.status !== "live" || options.now() >= current.expiresAt) {
      return { ok: false, reason: "invalid" };
    }
    current.status = "reserved";
    return { ok: true, reservation: { generation: current.generation } };
  }

  function settle(reservation: PairingReservation, status: "live" | "used"): void {
    if (current?.generation === reservation.generation && current.status === "reserved") {
      current.status = status;
    }
  }

  async function redeemNow<T>(redeem: {
    input: unknown;
    commit: () => T | Promise<T>;
  }): Promise<RedeemResult<T>> {
    const reserved = reserve(redeem.input);
    if (!reserved.ok) return reserved;
    let value: T;
    try {
      value = await redeem.commit();
    } catch (error) {
      settle(reserved.reservation, "live");
      throw error;
    }
    settle(reserved.reservation, "used");
    return { ok: true, value };
  }

  return {
    issue,
    reserve,
    consume: (reservation) => settle(reservation, "used"),
    release: (reservation) => settle(reservation, "live"),
    redeem(redeem) {
      const run = queue.then(() => redeemNow(redeem));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** Dashes and whitespace removed, uppercased; `undefined` for non-strings and oversized input. */
function normalisePairingCode(input: unknown): Buffer | undefined {
  if (typeof input !== "string" || input.length > MAX_INPUT_CHARS) return undefined;
  return Buffer.from(input.replace(/[\s-]/g, "").toUpperCase(), "utf8");
}
