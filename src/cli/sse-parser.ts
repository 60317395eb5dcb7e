/** One dispatched Server-Sent Events message (WHATWG HTML §9.2 "event stream interpretation"). */
export type SseMessage = {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen on the stream so far (it persists across messages, as the spec says). */
  lastEventId: string;
  /** A `retry:` value in milliseconds sent with this message, if any. */
  retryMs?: number;
};

/**
 * An incremental SSE parser: feed it decoded text chunks in order, it calls `onMessage` for every
 * complete message. Lines may end in CRLF, LF or CR, and a chunk may end anywhere — mid-line or
 * between the CR and LF of one line ending. Comment lines (`:` heartbeats) are ignored; a message
 * without `data:` is not dispatched, but its `id:` still counts.
 */
export function createSseParser(onMessage: (message: SseMessage) => void) {
  let buffer = "";
  let skipLeadingLf = false;
  let event = "";
  let data: string[] = [];
  let lastEventId = "";
  let retryMs: number | undefined;

  function dispatch(): void {
    if (data.length > 0) {
      onMessage({ event: event || "message", data: data.join("\n"), lastEventId, retryMs });
    }
    event = "";
    data = [];
    retryMs = undefined;
  }

  function line(text: string): void {
    if (text === "") {
      dispatch();
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
  }

  return {
    push(chunk: string): void {
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const char = buffer[i];
        if (skipLeadingLf) {
          skipLeadingLf = false;
          if (char === "\n") {
            start = i + 1;
            continue;
          }
        }
        if (char === "\n" || char === "\r") {
          line(buffer.slice(start, i));
          start = i + 1;
          if (char === "\r") skipLeadingLf = true;
        }
      }
      buffer = buffer.slice(start);
    },
    /** The id to send as `Last-Event-ID` on a reconnect ("" before any `id:`). */
    get lastEventId(): string {
      return lastEventId;
    },
  };
}
