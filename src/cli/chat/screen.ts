/** The bottom area under the output: a prompt, the text being typed and where the cursor is. */
export type Bottom = { prompt: string; text: string; cursor: number };

export type ScreenOptions = {
  write: (data: string) => void;
  columns: () => number;
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences
const ANSI_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * An inline terminal screen: output scrolls up as normal terminal text (no alternate screen, so it
 * works through `docker exec -it`, SSH and tmux), and the input area is redrawn below it. To
 * write output it erases the input area, returns to the end of the last output line, writes, and
 * draws the input area again — all with relative cursor moves, so scrolling cannot confuse it.
 * Widths count one column per code point (wide CJK/emoji glyphs may misplace the cursor).
 */
export function createScreen(options: ScreenOptions) {
  const { write } = options;
  /** Column where output continues (0 = at the start of a fresh line). */
  let outCol = 0;
  /** Rows between the first row of the drawn input area and the cursor inside it. */
  let cursorRow = 0;
  let bottom: Bottom | undefined;
  let drawn = false;

  /** Erases the input area and puts the cursor back where output continues. */
  function erase(): string {
    if (!drawn) return "";
    drawn = false;
    return `${cursorRow > 0 ? `\x1b[${cursorRow}A` : ""}\r\x1b[J${resume()}`;
  }

  function draw(): string {
    if (!bottom) return "";
    const cols = Math.max(10, options.columns());
    let seq = outCol > 0 ? "\r\n" : "";
    const lines = bottom.text.split("\n");
    const before = bottom.text.slice(0, bottom.cursor).split("\n");
    const cursorLine = before.length - 1;
    const cursorOffset = (cursorLine === 0 ? visible(bottom.prompt) : 2) + before[cursorLine]!.length;
    let row = 0;
    let targetRow = 0;
    lines.forEach((line, index) => {
      const prefix = index === 0 ? bottom!.prompt : "  ";
      const width = visible(prefix) + line.length;
      if (index === cursorLine) targetRow = row + Math.floor(cursorOffset / cols);
      seq += (index > 0 ? "\r\n" : "") + prefix + line;
      // a line that exactly fills its last row gets an empty row after it, so the cursor never
      // sits in the terminal's pending-wrap state
      if (width > 0 && width % cols === 0) seq += "\r\n";
      row += Math.floor(width / cols) + (index < lines.length - 1 ? 1 : 0);
    });
    const endRow = row;
    if (endRow > targetRow) seq += `\x1b[${endRow - targetRow}A`;
    seq += `\x1b[${(cursorOffset % cols) + 1}G`;
    cursorRow = targetRow;
    drawn = true;
    return seq;
  }

  /** From the first row of the erased input area, moves back to where output continues. */
  function resume(): string {
    return outCol > 0 ? `\x1b[1A\x1b[${outCol + 1}G` : "";
  }

  function advance(text: string): string {
    const cols = Math.max(10, options.columns());
    for (const char of text.replace(ANSI_SEQUENCE, "")) {
      if (char === "\n" || char === "\r") outCol = 0;
      else if (char === "\t") outCol = Math.min(cols, (Math.floor(outCol / 8) + 1) * 8);
      else outCol = outCol >= cols ? 1 : outCol + 1;
    }
    if (outCol >= cols) {
      outCol = 0;
      return "\r\n";
    }
    return "";
  }

  /** Writes output text above the input area; it continues the current output line. */
  function text(data: string): void {
    if (data === "") return;
    let seq = erase();
    seq += data.replace(/\r?\n/g, "\r\n");
    seq += advance(data);
    write(seq + draw());
  }

  return {
    text,
    /** Writes a whole line of output, starting on a fresh line. */
    line(data: string): void {
      text(`${outCol > 0 ? "\n" : ""}${data}\n`);
    },
    /** Makes sure the next output starts on a fresh line. */
    endLine(): void {
      if (outCol > 0) text("\n");
    },
    /** Shows (or with `undefined` hides) the input area. */
    setBottom(next: Bottom | undefined): void {
      const seq = erase();
      bottom = next;
      write(seq + draw());
    },
    /** Redraws the input area (after an edit or a resize). */
    refresh(): void {
      if (!drawn && !bottom) return;
      write(erase() + draw());
    },
    /** Leaves the cursor on a fresh line below everything, input area hidden. */
    close(): void {
      const seq = erase();
      bottom = undefined;
      write(`${seq}${outCol > 0 ? "\r\n" : ""}`);
      outCol = 0;
    },
  };
}

export type Screen = ReturnType<typeof createScreen>;

function visible(text: string): number {
  return [...text.replace(ANSI_SEQUENCE, "")].length;
}
