/** Delivery ids remembered per route before the oldest are forgotten. */
export const DEFAULT_MAX_DELIVERIES = 10_000;
/** How long a delivery id is remembered: senders retry within hours, not days. */
export const DEFAULT_DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;

export type DeliveryDedup = {
  /** True when `(route, id)` was accepted within the window. Does not record anything. */
  seen(route: string, id: string): boolean;
  /** Remembers an accepted delivery. */
  record(route: string, id: string): void;
  /** Forgets a delivery whose session could not be started, so the sender's retry is accepted. */
  forget(route: string, id: string): void;
  size(): number;
};

/**
 * In-memory, bounded de-duplication of delivery ids (`X-Webhook-Delivery`): ids live for
 * `windowMs` and at most `maxEntries` are kept (oldest evicted first). A restart forgets them,
 * which is acceptable: a sender retrying across a daemon restart gets one more session at worst.
 */
export function createDeliveryDedup(options: {
  now: () => number;
  windowMs?: number;
  maxEntries?: number;
}): DeliveryDedup {
  const windowMs = options.windowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_DELIVERIES;
  // Insertion order = acceptance order, so the first entries are the oldest.
  const entries = new Map<string, number>();
  const key = (route: string, id: string) => `${route}\u0000${id}`;

  const prune = (now: number) => {
    for (const [k, expires] of entries) {
      if (expires > now && entries.size <= maxEntries) break;
      entries.delete(k);
    }
  };

  return {
    seen(route, id) {
      const expires = entries.get(key(route, id));
      return expires !== undefined && expires > options.now();
    },
    record(route, id) {
      const now = options.now();
      const k = key(route, id);
      entries.delete(k);
      entries.set(k, now + windowMs);
      prune(now);
    },
    forget(route, id) {
      entries.delete(key(route, id));
    },
    size: () => entries.size,
  };
}
