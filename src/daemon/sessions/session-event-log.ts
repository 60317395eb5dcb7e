import type { SessionEvent } from "../../protocol/events.ts";
import type { EventDraft } from "../agent/event-draft.ts";
import type { SessionEventRepository } from "../store/session-event-repository.ts";
import type { SessionRepository } from "../store/session-repository.ts";
import type { DeltaDraft, EventRedactor } from "./event-redactor.ts";
import { createEventStream, type EventStream } from "./event-stream.ts";

export type { DeltaDraft, EventDraft };
/** An event that is stored (everything but the live-only deltas). */
export type DurableDraft = Exclude<EventDraft, DeltaDraft>;

export type SessionEventLogOptions = {
  sessionId: string;
  sessions: SessionRepository;
  events: SessionEventRepository;
  /** `Store.transaction`: an event and the writes that go with it land together. */
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  /**
   * Applied to every event before it is stored, buffered or delivered: the one place where secrets
   * leave events (see event-redactor.ts).
   */
  redactor: EventRedactor;
  /** The session row's `event_id_reserved` when it was loaded. */
  reservedHighWater: number;
  /** Recent events (deltas included) kept in memory for resuming subscribers. Default 2048. */
  bufferSize?: number;
  /** Ids reserved per durable write. Default 256. */
  idBlockSize?: number;
  /** Per-subscriber backlog before a slow subscriber is cut off. Default 10000. */
  maxSubscriberBacklog?: number;
};

export type SessionEventLog = ReturnType<typeof createSessionEventLog>;

/**
 * One session's event log: allocates ids, stores every non-volatile event (deltas are live only),
 * keeps a ring buffer of recent events and fans them out to subscribers.
 *
 * Ids come from hi/lo blocks reserved durably in the session row, and a freshly loaded log starts
 * above the previous high-water mark, so ids strictly increase and are never reused — even when
 * a kill -9 lost live-only deltas a client had already seen.
 */
export function createSessionEventLog(options: SessionEventLogOptions) {
  const { sessionId, sessions, events, transaction, now } = options;
  const bufferSize = options.bufferSize ?? 2048;
  const blockSize = options.idBlockSize ?? 256;
  let lastId = options.reservedHighWater;
  let reserved = options.reservedHighWater;
  /** Every event with id <= floor is only in the store (or was live-only and is gone). */
  let floor = options.reservedHighWater;
  let buffer: SessionEvent[] = [];
  const subscribers = new Set<EventStream<SessionEvent>>();

  const nextId = (): number => {
    if (lastId >= reserved) reserved = sessions.reserveEventIds({ id: sessionId, count: blockSize });
    lastId += 1;
    return lastId;
  };

  const remember = (event: SessionEvent) => {
    buffer.push(event);
    if (buffer.length >= bufferSize * 2) {
      floor = buffer[buffer.length - bufferSize - 1]!.id;
      buffer = buffer.slice(buffer.length - bufferSize);
    }
  };

  const deliver = (event: SessionEvent) => {
    remember(event);
    for (const subscriber of subscribers) subscriber.push(event);
  };
  /** A live-only delta, already redacted: an id, a timestamp, and out to the subscribers. */
  const publish = (delta: DeltaDraft): SessionEvent => {
    const event = { ...delta, id: nextId(), sessionId, at: now().toISOString() } as SessionEvent;
    deliver(event);
    return event;
  };

  return {
    /**
     * Redacts the draft, gives it an id and timestamp, stores it (together with `alsoStore`, in
     * one transaction), then delivers it to subscribers. Throws if the store write fails; nothing
     * is delivered then.
     */
    append(draft: DurableDraft, alsoStore?: (event: SessionEvent) => void): SessionEvent {
      for (const settled of options.redactor.settle(draft)) publish(settled);
      const redacted = options.redactor.event(draft);
      const event = transaction(() => {
        const built = { ...redacted, id: nextId(), sessionId, at: now().toISOString() } as SessionEvent;
        events.append(built);
        alsoStore?.(built);
        return built;
      });
      deliver(event);
      return event;
    },

    /**
     * A live-only delta: redacted as part of its response's stream, then given an id and
     * delivered, never stored. Undefined when redaction holds all of its text back for now.
     */
    stream(draft: DeltaDraft): SessionEvent | undefined {
      for (const settled of options.redactor.settle(draft)) publish(settled);
      const redacted = options.redactor.delta(draft);
      return redacted ? publish(redacted) : undefined;
    },

    /**
     * A live stream of this session's events. With `after`, first replays every event with a
     * larger id — from the ring buffer when it reaches back that far, else the stored events
     * followed by the buffer — so a resuming client gets each event exactly once, in order.
     */
    subscribe(after?: number): EventStream<SessionEvent> {
      const stream = createEventStream<SessionEvent>({
        maxBuffered: options.maxSubscriberBacklog ?? 10_000,
        onClose: () => subscribers.delete(stream),
      });
      if (after !== undefined) {
        if (after < floor) {
          for (const event of events.listBetween({ sessionId, after, upTo: floor }))
            stream.push(options.redactor.stored(event));
        }
        for (const event of buffer) if (event.id > after) stream.push(event);
      }
      subscribers.add(stream);
      return stream;
    },

    /** Ends every subscriber's stream (after what is already queued for it). */
    closeSubscribers(): void {
      for (const subscriber of subscribers) subscriber.end();
      subscribers.clear();
    },

    get subscriberCount(): number {
      return subscribers.size;
    },

    get lastId(): number {
      return lastId;
    },
  };
}
