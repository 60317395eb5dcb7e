import type { SessionEvent } from "../../protocol/events.ts";

/**
 * Where rendered output goes. `text` continues the current line; `line` starts on a fresh one;
 * `error` is a diagnostic line, which headless chat keeps off stdout (stdout is the answer).
 */
export type RenderSink = {
  text(chunk: string): void;
  line(text: string): void;
  error(text: string): void;
};

export type Style = { dim(text: string): string; red(text: string): string };

export const ANSI: Style = {
  dim: (text) => `\x1b[2m${text}\x1b[22m`,
  red: (text) => `\x1b[31m${text}\x1b[39m`,
};
export const PLAIN: Style = { dim: (text) => text, red: (text) => text };

/** Whether the user asked for no colours: any non-empty `NO_COLOR` (https://no-color.org). */
export function noColor(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR ?? "") !== "";
}

/** ANSI colours unless `NO_COLOR` is set. */
export function styleFor(env: NodeJS.ProcessEnv): Style {
  return noColor(env) ? PLAIN : ANSI;
}

/**
 * Reconciles streamed deltas with the event that completes a response. Deltas are volatile: after
 * a reconnect some may never arrive, so the completing `text`/`thinking` event is the truth. A
 * client prints each delta as it comes and, at completion, only what it has not printed yet.
 */
export function createResponseTracker() {
  const printed = new Map<string, string>();
  return {
    /** The text to print for a delta (all of it). */
    delta(key: string, text: string): string {
      printed.set(key, (printed.get(key) ?? "") + text);
      return text;
    },
    /**
     * The text still to print when the response completes with `full`: the part after what the
     * deltas already showed, or nothing when the screen already shows more than `full` holds.
     */
    complete(key: string, full: string): string {
      const shown = printed.get(key) ?? "";
      printed.delete(key);
      return full.startsWith(shown) ? full.slice(shown.length) : "";
    },
    /** Whether part of this response is already on screen. */
    started: (key: string) => printed.has(key),
  };
}

export type RendererOptions = {
  sink: RenderSink;
  /** `headless` prints the `[tool:call]`/`[usage]` line format; `tty` the dimmed, human one. */
  mode: "headless" | "tty";
  style: Style;
  /** Terminal width for truncating tool lines (tty). */
  columns?: () => number;
  /**
   * Remove control characters from model and tool text (default: in tty mode). Headless chat
   * keeps them only when its stdout is a pipe and colours are allowed, so a pipe gets the answer
   * byte for byte but a terminal never gets escape sequences it did not ask for.
   */
  stripControl?: boolean;
};

/** Renders session events to a sink. Returns `render(event)`; user messages are not rendered. */
export function createEventRenderer(options: RendererOptions) {
  const { sink, style } = options;
  const tracker = createResponseTracker();
  const tty = options.mode === "tty";
  const width = () => Math.max(20, (options.columns?.() ?? 100) - 4);
  const strip = options.stripControl ?? tty;

  return function render(raw: SessionEvent): void {
    const event = strip ? cleanEvent(raw, sanitize) : raw;
    switch (event.type) {
      case "text_delta":
        sink.text(tracker.delta(`t:${event.responseId}`, event.text));
        return;
      case "text": {
        sink.text(tracker.complete(`t:${event.responseId}`, event.text));
        if (event.partial && tty) sink.text(style.dim(` [${event.partial}]`));
        return;
      }
      case "thinking_delta":
        if (tty) sink.text(style.dim(tracker.delta(`k:${event.responseId}`, event.text)));
        return;
      case "thinking":
        if (tty) {
          const rest = tracker.complete(`k:${event.responseId}`, event.text);
          sink.text(style.dim(rest));
          sink.line("");
        }
        return;
      case "tool_call":
        sink.line(
          tty
            ? style.dim(clip(`⚙ ${event.toolName} ${event.argumentsJson}`, width()))
            : `[tool:call] ${event.toolName} ${event.argumentsJson}`,
        );
        return;
      case "attachment": {
        const size = `${Math.max(1, Math.round(event.sizeBytes / 1024))} KiB`;
        sink.line(
          tty
            ? `📎 ${sanitize(event.displayName)} (${size}) ${style.dim(sanitize(event.path))}`
            : `[attachment] ${sanitize(event.displayName)} (${size}) ${sanitize(event.path)}`,
        );
        return;
      }
      case "tool_result": {
        const result = oneLine(event.result);
        const error = event.isError ? "error: " : "";
        sink.line(
          tty
            ? style.dim(clip(`  ↳ ${error}${result}`, width()))
            : `[tool:result] ${event.toolName} ${event.callId} ${error}${clip(result, 2000)}`,
        );
        return;
      }
      case "usage": {
        const percent = Math.round(event.usagePercent * 10) / 10;
        // headless: on stderr, so stdout stays the answer alone (`netclaw chat -p … > answer.txt`)
        if (tty)
          sink.line(
            style.dim(
              `  ${event.inputTokens} in · ${event.outputTokens} out · ${percent}% of ${event.contextWindowTokens} context · ${event.modelId}`,
            ),
          );
        else
          sink.error(
            `[usage] input=${event.inputTokens} output=${event.outputTokens} total=${event.totalTokens} context=${percent}% model=${event.provider}/${event.modelId}`,
          );
        return;
      }
      case "error":
        if (tty) sink.line(style.red(`error: ${event.errorMessage}`));
        else sink.error(`[error] ${event.errorMessage}`);
        return;
      case "turn_completed":
        if (tty && event.status !== "completed") sink.line(style.dim(`(turn ${event.status})`));
        return;
      case "compaction":
        if (tty)
          sink.line(style.dim(`(compacted: ${event.messagesBefore} → ${event.messagesAfter} messages)`));
        return;
      case "session_title":
        if (tty) sink.line(style.dim(`— ${event.title}`));
        return;
      default:
        return;
    }
  };
}

function cleanEvent(event: SessionEvent, clean: (text: string) => string): SessionEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const key of ["text", "toolName", "argumentsJson", "result", "errorMessage", "title", "summary"]) {
    if (typeof copy[key] === "string") copy[key] = clean(copy[key] as string);
  }
  return copy as SessionEvent;
}

/**
 * Removes control characters (ESC, C1 CSI, BEL, backspace…) from text that came from a model or a
 * tool, so it cannot move the cursor or rewrite the terminal. Newlines and tabs stay.
 */
export function sanitize(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "");
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ⏎ ").trim();
}

export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
