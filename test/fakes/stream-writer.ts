import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { destroyOnPurpose } from "./http-util.ts";
import type { Frame } from "./protocols/types.ts";
import type { ReplyPlan } from "./reply.ts";

export type Encoding = "sse" | "ndjson";

/** Serializes one frame: an SSE event block (comment, event name, data) or one NDJSON line. */
export function encodeFrame(frame: Frame, encoding: Encoding): string {
  if (encoding === "ndjson") return `${frame.data ?? ""}\n`;
  let out = "";
  if (frame.comment !== undefined) out += `: ${frame.comment}\n`;
  if (frame.event !== undefined) out += `event: ${frame.event}\n`;
  if (frame.data !== undefined) out += `data: ${frame.data}\n`;
  return `${out}\n`;
}

/**
 * Index at which a stream is cut so that exactly `n` content frames precede it. With fewer content
 * frames than `n` the cut falls right after the last one, so the stream is still left unfinished.
 */
export function cutAfterContent(frames: readonly Frame[], n: number): number {
  let seen = 0;
  let lastContentEnd = -1;
  for (let i = 0; i < frames.length; i++) {
    if (!frames[i]?.content) continue;
    if (seen === n) return i;
    seen++;
    lastContentEnd = i + 1;
    if (seen === n) return i + 1;
  }
  return lastContentEnd >= 0 ? lastContentEnd : Math.max(0, frames.length - 1);
}

/**
 * Applies the scripted in-band failures to a protocol's frames: `malformed` repeats the first
 * content frame cut in half (invalid JSON) right after it; `streamError` replaces everything after
 * its `afterChunks`-th content frame by the vendor's error event.
 */
export function applyInBandFailures(options: {
  frames: Frame[];
  plan: ReplyPlan;
  errorFrame: () => Frame;
}): Frame[] {
  const { plan, errorFrame } = options;
  let out = options.frames;
  if (plan.malformed) {
    const index = out.findIndex((frame) => frame.content === true && frame.data !== undefined);
    const at = index >= 0 ? index : out.findIndex((frame) => frame.data !== undefined);
    const source = out[at];
    if (source?.data !== undefined) {
      const broken: Frame = { ...source, data: source.data.slice(0, Math.ceil(source.data.length / 2)) };
      out = [...out.slice(0, at + 1), broken, ...out.slice(at + 1)];
    }
  }
  if (plan.streamError !== undefined) {
    out = [...out.slice(0, cutAfterContent(out, plan.streamError.afterChunks)), errorFrame()];
  }
  return out;
}

export type WriteOutcome = "completed" | "disconnected" | "aborted";

/**
 * Writes frames to an already-started response. Content frames wait `firstTokenDelayMs` (the
 * first) or `chunkDelayMs` (the rest); frames without a wait are batched into one write, which
 * keeps benchmarks cheap. With `disconnectAfterChunks` the socket is destroyed mid-body once that
 * many content frames are out. Resolves when done; never rejects (an abort ends the write).
 */
export async function writeFrames(options: {
  res: ServerResponse;
  frames: readonly Frame[];
  encoding: Encoding;
  plan: ReplyPlan;
  signal: AbortSignal;
}): Promise<WriteOutcome> {
  const { res, frames, encoding, plan, signal } = options;
  const disconnect = plan.disconnectAfterChunks;
  const end = disconnect === undefined ? frames.length : cutAfterContent(frames, disconnect);
  const firstContent = frames.findIndex((frame) => frame.content === true);
  let buffer = "";
  try {
    for (let i = 0; i < end; i++) {
      const frame = frames[i];
      if (frame === undefined) continue;
      const delay = i === firstContent || (firstContent < 0 && i === 0) ? plan.firstTokenDelayMs : 0;
      const wait = frame.content && i !== firstContent ? plan.chunkDelayMs : delay;
      if (wait > 0) {
        if (buffer !== "") res.write(buffer);
        buffer = "";
        await sleep(wait, undefined, { signal });
      }
      if (res.destroyed) return "aborted";
      buffer += encodeFrame(frame, encoding);
    }
  } catch {
    return "aborted";
  }
  if (res.destroyed) return "aborted";
  if (disconnect !== undefined) {
    await new Promise<void>((resolve) => res.write(buffer, () => resolve()));
    destroyOnPurpose(res);
    return "disconnected";
  }
  res.end(buffer);
  return "completed";
}
