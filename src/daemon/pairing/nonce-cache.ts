/** Live entries the daemon keeps at most; beyond this, local control answers 503. */
export const DEFAULT_NONCE_CACHE_CAPACITY = 1024;

/**
 * - `accepted`: first use, now remembered until its expiry.
 * - `replayed`: seen before and still live → the route answers 401 `Invalid local-control proof.`
 * - `full`: too many live nonces to remember another → 503 `Local control is temporarily unavailable.`
 */
export type NonceUseResult = "accepted" | "replayed" | "full";

export type NonceCache = {
  /**
   * Records a single use of `nonce`, remembered through `expiresAt` inclusive (unix ms; for a proof, the
   * `expiresAt` returned by `parseAndVerifyProof`). Call it only for proofs whose MAC verified, so
   * strangers cannot fill the cache. A replay is reported even when the cache is full.
   */
  use(options: { nonce: string; expiresAt: number }): NonceUseResult;
  /** Live entries right now. */
  size(): number;
};

/**
 * Single-use nonce tracking with expiry, bounded at `capacity` live entries. Expired entries are
 * dropped lazily; the cache never evicts a live entry (that would re-open a replay window), it
 * refuses new ones instead.
 */
export function createNonceCache(options: { now: () => number; capacity?: number }): NonceCache {
  const capacity = options.capacity ?? DEFAULT_NONCE_CACHE_CAPACITY;
  const expiries = new Map<string, number>();

  function prune(now: number): void {
    for (const [nonce, expiresAt] of expiries) {
      if (expiresAt < now) expiries.delete(nonce);
    }
  }

  return {
    use({ nonce, expiresAt }) {
      const now = options.now();
      const seen = expiries.get(nonce);
      if (seen !== undefined) {
        if (seen >= now) return "replayed";
        expiries.delete(nonce);
      }
      if (expiries.size >= capacity) prune(now);
      if (expiries.size >= capacity) return "full";
      expiries.set(nonce, expiresAt);
      return "accepted";
    },
    size() {
      prune(options.now());
      return expiries.size;
    },
  };
}
