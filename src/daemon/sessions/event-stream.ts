/**
 * The one async-iterable queue used for live session events: a producer `push`es, one consumer
 * iterates. `end()` lets the consumer drain what is buffered and then finish; a consumer that
 * stops early (break/return) closes the stream and fires `onClose` once. A consumer that falls
 * more than `maxBuffered` items behind is cut off (the stream ends) instead of growing without
 * bound: an SSE client then reconnects with Last-Event-ID and loses nothing.
 */
export type EventStream<T> = AsyncIterable<T> & {
  /** Queues an item; false when the stream is closed (or was just closed for overflow). */
  push(item: T): boolean;
  /** No more items: the consumer finishes after the buffered ones. Idempotent. */
  end(): void;
  readonly closed: boolean;
};

export function createEventStream<T>(
  options: { maxBuffered?: number; onClose?: () => void } = {},
): EventStream<T> {
  const maxBuffered = options.maxBuffered ?? Number.POSITIVE_INFINITY;
  let buffer: T[] = [];
  let head = 0;
  let ended = false;
  let closed = false;
  let wake: (() => void) | undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    ended = true;
    wake?.();
    options.onClose?.();
  };

  const iterator: AsyncIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (head < buffer.length) {
          const value = buffer[head]!;
          head += 1;
          if (head > 1024 && head * 2 > buffer.length) {
            buffer = buffer.slice(head);
            head = 0;
          }
          return { value, done: false };
        }
        if (ended) {
          close();
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      buffer = [];
      head = 0;
      close();
      return { value: undefined, done: true };
    },
  };

  return {
    push(item) {
      if (ended) return false;
      if (buffer.length - head >= maxBuffered) {
        ended = true;
        wake?.();
        return false;
      }
      buffer.push(item);
      wake?.();
      return true;
    },
    end() {
      ended = true;
      wake?.();
    },
    get closed() {
      return closed;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
}
