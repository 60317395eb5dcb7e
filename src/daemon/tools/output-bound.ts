import { join } from "node:path";
import type { ToolOperations } from "./operations.ts";

export const DEFAULT_MAX_OUTPUT_CHARS = 32_000;

/** Spill files live here inside the session directory; the model only ever sees the call id. */
export const SPILL_DIR = "tool-calls";

/** Call ids become file names: anything outside this set is refused rather than escaped. */
const SAFE_CALL_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function spillPath(sessionDir: string, callId: string): string | undefined {
  if (!SAFE_CALL_ID.test(callId) || callId.startsWith(".")) return undefined;
  return join(sessionDir, SPILL_DIR, `${callId}.txt`);
}

/**
 * Keeps `text` within `maxChars`: longer text becomes head + marker + tail, and the whole
 * (already redacted) text is saved as `tool-calls/<callId>.txt` for tool_output_read. If the
 * spill cannot be written the cut still happens and the marker says so.
 */
export async function boundOutput(options: {
  text: string;
  maxChars: number;
  callId: string;
  sessionDir: string;
  ops: ToolOperations;
}): Promise<string> {
  const { text, maxChars, callId } = options;
  if (text.length <= maxChars) return text;
  const path = spillPath(options.sessionDir, callId);
  let saved = false;
  if (path) {
    try {
      await options.ops.fs.mkdir(join(options.sessionDir, SPILL_DIR), { recursive: true, mode: 0o700 });
      await options.ops.fs.writeFile(path, text, { encoding: "utf8", mode: 0o600 });
      saved = true;
    } catch {
      saved = false;
    }
  }
  const omitted = text.length - maxChars;
  const marker = saved
    ? `\n\n[… ${omitted} of ${text.length} characters omitted. Read the full output with tool_output_read (CallId "${callId}", Start, Limit) …]\n\n`
    : `\n\n[… ${omitted} of ${text.length} characters omitted; the full output could not be saved …]\n\n`;
  const budget = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(budget * 0.6);
  const tail = budget - head;
  return text.slice(0, head) + marker + (tail > 0 ? text.slice(text.length - tail) : "");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * Turns raw bytes from a process or file into text safe to show a model: invalid UTF-8 becomes
 * U+FFFD and control characters other than tab, newline and carriage return are dropped
 * (binary output and terminal escapes would otherwise reach the prompt verbatim).
 */
export function printable(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("utf8").replace(CONTROL_CHARACTERS, "");
}
