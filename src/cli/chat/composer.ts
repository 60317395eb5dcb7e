/** A key as `node:readline`'s `emitKeypressEvents` reports it. */
export type Key = { sequence?: string; name?: string; ctrl?: boolean; meta?: boolean; shift?: boolean };

/** What a key did to the composer, for the caller to act on. */
export type ComposerAction = "none" | "changed" | "submit" | "interrupt" | "eof";

/**
 * The input line editor: a multi-line buffer with a cursor. Enter submits, unless the text before
 * the cursor ends in `\` (the backslash becomes a newline); Alt+Enter and Ctrl+J insert a newline;
 * a bracketed paste is inserted as is, newlines included. Pure state, no terminal I/O.
 */
export function createComposer() {
  let text = "";
  let cursor = 0;
  let pasting = false;
  /** The previous pasted key was CR: a following LF is the same line break (CRLF). */
  let pastedCr = false;
  const history: string[] = [];
  let historyIndex = 0;

  function insert(chunk: string): void {
    text = text.slice(0, cursor) + chunk + text.slice(cursor);
    cursor += chunk.length;
  }
  function lineStart(): number {
    return text.lastIndexOf("\n", cursor - 1) + 1;
  }
  function lineEnd(): number {
    const end = text.indexOf("\n", cursor);
    return end === -1 ? text.length : end;
  }
  function set(value: string): void {
    text = value;
    cursor = value.length;
  }

  function key(chunk: string | undefined, key: Key): ComposerAction {
    const name = key.name;
    if (name === "paste-start") {
      pasting = true;
      return "none";
    }
    if (name === "paste-end") {
      pasting = false;
      return "none";
    }
    if (pasting) {
      const crlf = pastedCr && name === "enter";
      pastedCr = name === "return";
      if (crlf) return "none";
      const piece = name === "return" || name === "enter" ? "\n" : (chunk ?? key.sequence ?? "");
      if (piece === "") return "none";
      insert(piece.replace(/\r\n?/g, "\n"));
      return "changed";
    }
    if (key.ctrl && name === "c") return "interrupt";
    if (key.ctrl && name === "d") {
      if (text === "") return "eof";
      if (cursor < text.length) text = text.slice(0, cursor) + text.slice(cursor + 1);
      return "changed";
    }
    if (name === "return" && key.meta) {
      insert("\n");
      return "changed";
    }
    if (name === "enter" || (key.ctrl && name === "j")) {
      insert("\n");
      return "changed";
    }
    if (name === "return") {
      if (cursor > 0 && text[cursor - 1] === "\\") {
        text = `${text.slice(0, cursor - 1)}\n${text.slice(cursor)}`;
        return "changed";
      }
      return text.trim() === "" ? "none" : "submit";
    }
    if (name === "backspace") {
      if (cursor === 0) return "none";
      const width = isLowSurrogate(text.charCodeAt(cursor - 1)) && cursor > 1 ? 2 : 1;
      text = text.slice(0, cursor - width) + text.slice(cursor);
      cursor -= width;
      return "changed";
    }
    if (name === "delete") {
      text = text.slice(0, cursor) + text.slice(cursor + 1);
      return "changed";
    }
    if (name === "left" || (key.ctrl && name === "b")) cursor = Math.max(0, cursor - 1);
    else if (name === "right" || (key.ctrl && name === "f")) cursor = Math.min(text.length, cursor + 1);
    else if (name === "home" || (key.ctrl && name === "a")) cursor = lineStart();
    else if (name === "end" || (key.ctrl && name === "e")) cursor = lineEnd();
    else if (key.ctrl && name === "u") {
      const start = lineStart();
      text = text.slice(0, start) + text.slice(cursor);
      cursor = start;
    } else if (key.ctrl && name === "k") text = text.slice(0, cursor) + text.slice(lineEnd());
    else if (key.ctrl && name === "w") {
      const before = text.slice(0, cursor).replace(/\S+\s*$/, "");
      text = before + text.slice(cursor);
      cursor = before.length;
    } else if ((name === "up" || name === "down") && !text.includes("\n")) {
      if (history.length === 0) return "none";
      historyIndex = Math.max(0, Math.min(history.length, historyIndex + (name === "up" ? -1 : 1)));
      set(history[historyIndex] ?? "");
    } else if (!key.ctrl && !key.meta && chunk && isPrintable(chunk)) insert(chunk);
    else return "none";
    return "changed";
  }

  return {
    key,
    get text() {
      return text;
    },
    get cursor() {
      return cursor;
    },
    /** Empties the buffer and returns what it held (remembered for Up/Down). */
    take(): string {
      const value = text;
      if (value.trim() !== "") history.push(value);
      historyIndex = history.length;
      set("");
      return value;
    },
    clear(): void {
      set("");
    },
  };
}

export type Composer = ReturnType<typeof createComposer>;

function isPrintable(chunk: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  return !/[\x00-\x1f\x7f]/.test(chunk);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
