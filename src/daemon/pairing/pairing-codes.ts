import { randomBytes as cryptoRandomBytes, timingSafeEqual } from "node:crypto";

/** 32 symbols without 0/O/1/I, so a byte % 32 picks one without bias. */
export const PAIRING_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const PAIRING_CODE_LENGTH = 8;
/**
 * The full code is the pairing code plus eight more symbols (80 bits): too many to guess even
 * without any rate limit, so it is accepted while the short code's limits refuse everyone.
 */
export const FULL_CODE_LENGTH = 16;
export const PAIRING_CODE_TTL_MS = 5 * 60_000;
/** Longer input is rejected before normalising (a formatted code is 9 characters). */
const MAX_INPUT_CHARS = 64;

export type IssuedPairingCode = {
  /** Eight characters, e.g. `ABCDEFGH`. */
  code: string;
  /** As shown to the user: `ABCD-EFGH`. */
  formattedCode: string;
  /** The owner's way through a lockout: `ABCD-EFGH-JKLM-NPQR` (starts with the short code). */
  formattedFullCode: string;
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
  /** Whether `input` is the live code's full form (constant time); reserves nothing. */
  isFullCode(input: unknown): boolean;
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
  fullCode: Buffer;
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
    const full = symbols(random, FULL_CODE_LENGTH);
    const code = full.slice(0, PAIRING_CODE_LENGTH);
    generation += 1;
    const expiresAt = options.now() + ttlMs;
    current = {
      code: Buffer.from(code, "ascii"),
      fullCode: Buffer.from(full, "ascii"),
      expiresAt,
      generation,
      status: "live",
    };
    return {
      code,
      formattedCode: groupsOfFour(code),
      formattedFullCode: groupsOfFour(full),
      expiresAt,
    };
  }

  const isLive = (state: CodeState) => state.status === "live" && options.now() < state.expiresAt;

  function isFullCode(input: unknown): boolean {
    if (current === undefined) return false;
    const candidate = normalisePairingCode(input);
    return candidate !== undefined && sameBytes(candidate, current.fullCode) && isLive(current);
  }

  function reserve(input: unknown): ReserveResult {
    if (current === undefined) return { ok: false, reason: "no_live_code" };
    const candidate = normalisePairingCode(input);
    const matches =
      candidate !== undefined &&
      (sameBytes(candidate, current.code) || sameBytes(candidate, current.fullCode));
    if (!matches || !isLive(current)) {
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
    isFullCode,
    consume: (reservation) => settle(reservation, "used"),
    release: (reservation) => settle(reservation, "live"),
    redeem(redeem) {
      const run = queue.then(() => redeemNow(redeem));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** `length` symbols of the alphabet from CSPRNG bytes (byte % 32 is unbiased). */
function symbols(random: (size: number) => Uint8Array, length: number): string {
  const bytes = random(length);
  if (bytes.length !== length) throw new Error("randomBytes returned the wrong size");
  let text = "";
  for (const byte of bytes) text += PAIRING_CODE_ALPHABET[byte % PAIRING_CODE_ALPHABET.length];
  return text;
}

/** `ABCDEFGH` → `ABCD-EFGH`. */
function groupsOfFour(code: string): string {
  return code.match(/.{1,4}/g)!.join("-");
}

/** Constant time for equal lengths; a length mismatch says only that the length differs. */
function sameBytes(candidate: Buffer, expected: Buffer): boolean {
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/** Dashes and whitespace removed, uppercased; `undefined` for non-strings and oversized input. */
function normalisePairingCode(input: unknown): Buffer | undefined {
  if (typeof input !== "string" || input.length > MAX_INPUT_CHARS) return undefined;
  return Buffer.from(input.replace(/[\s-]/g, "").toUpperCase(), "utf8");
}
