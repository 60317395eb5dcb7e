import type { ProtocolId, VendorId } from "./protocols/types.ts";

/** One request as the fake received it. Mutable fields are updated while the exchange runs. */
export type RecordedRequest = {
  /** 1-based arrival order over the server's lifetime. */
  seq: number;
  /** The vendor the path belongs to; undefined for unknown paths. */
  vendor: VendorId | undefined;
  /** Set for model calls (chat, responses, messages); undefined for listings and unknown paths. */
  protocol: ProtocolId | undefined;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The parsed JSON body when it was a JSON object. */
  body: Readonly<Record<string, unknown>> | undefined;
  rawBody: string;
  /** `Date.now()` at arrival. */
  timestamp: number;
  /** For model calls: requested model, whether streaming, text of the last user message. */
  model?: string;
  stream?: boolean;
  lastUserText?: string;
  /** For model calls: the conversation ends with a tool result (the agent loop's follow-up call). */
  endsWithToolResult?: boolean;
  /** OpenRouter attribution headers (`HTTP-Referer`, `X-Title` or `X-OpenRouter-Title`). */
  attribution?: { referer?: string; title?: string };
  /** True once the client went away before the fake finished its answer. */
  clientAborted: boolean;
};

export type RequestFilter = { protocol?: ProtocolId; vendor?: VendorId; path?: string };

export type WaitOptions = RequestFilter & { timeoutMs?: number };

type Waiter = { count: number; filter: RequestFilter; resolve: (requests: RecordedRequest[]) => void };

function matches(request: RecordedRequest, filter: RequestFilter): boolean {
  return (
    (filter.protocol === undefined || request.protocol === filter.protocol) &&
    (filter.vendor === undefined || request.vendor === filter.vendor) &&
    (filter.path === undefined || request.path === filter.path)
  );
}

/**
 * The fake's request log. Keeps at most `limit` entries (oldest dropped) so a long benchmark does
 * not grow without bound; waiting counts only the entries still kept.
 */
export function createRequestLog(limit: number) {
  let entries: RecordedRequest[] = [];
  let waiters: Waiter[] = [];

  const select = (filter: RequestFilter) => entries.filter((entry) => matches(entry, filter));

  return {
    get entries(): readonly RecordedRequest[] {
      return entries;
    },
    add(request: RecordedRequest): void {
      entries.push(request);
      if (entries.length > limit) entries = entries.slice(entries.length - limit);
      waiters = waiters.filter((waiter) => {
        const selected = select(waiter.filter);
        if (selected.length < waiter.count) return true;
        waiter.resolve(selected);
        return false;
      });
    },
    clear(): void {
      entries = [];
    },
    /**
     * Resolves with the matching requests once there are at least `count`; rejects after
     * `timeoutMs` (default 5000) with a message saying how many arrived.
     */
    wait(count: number, options: WaitOptions = {}): Promise<RecordedRequest[]> {
      const { timeoutMs = 5000, ...filter } = options;
      const selected = select(filter);
      if (selected.length >= count) return Promise.resolve(selected);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== entry);
          const got = select(filter).length;
          reject(new Error(`fake upstream: expected ${count} request(s), got ${got} within ${timeoutMs} ms`));
        }, timeoutMs);
        const entry: Waiter = {
          count,
          filter,
          resolve: (requests) => {
            clearTimeout(timer);
            resolve(requests);
          },
        };
        waiters.push(entry);
      });
    },
  };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
