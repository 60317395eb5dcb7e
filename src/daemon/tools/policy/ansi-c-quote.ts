/**
 * Bash's ANSI-C quoting, `$'…'`: a static string with C escapes. Decoding it lets the policy
 * judge `cat $'\x2froot/.netclaw/keys/secrets.key'` as the path it is. A NUL (which ends the
 * word) or a `\cX` control escape is not modelled: the word is then reported dynamic.
 */
const C_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  v: "\v",
};

/** Decodes from `start` (just after `$'`) to the closing quote. */
export function decodeAnsiC(
  src: string,
  start: number,
): { text: string; dynamic: boolean; end: number; terminated: boolean } {
  let text = "";
  let i = start;
  for (; i < src.length && src[i] !== "'"; i++) {
    if (src[i] !== "\\") {
      text += src[i];
      continue;
    }
    const rest = src.slice(i + 1, i + 10);
    const code = /^(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3})/.exec(rest);
    if (code) {
      const digits = code[1]!;
      const value = /^[0-7]/.test(digits) ? Number.parseInt(digits, 8) : Number.parseInt(digits.slice(1), 16);
      if (value === 0 || value > 0x10ffff) return unknown(src, i, text);
      text += String.fromCodePoint(value);
      i += digits.length;
    } else if (rest[0] === "c") return unknown(src, i, text);
    else {
      text += C_ESCAPES[rest[0] ?? ""] ?? rest[0] ?? "";
      i++;
    }
  }
  return { text, dynamic: false, end: Math.min(i + 1, src.length), terminated: i < src.length };
}

function unknown(src: string, from: number, text: string) {
  for (let i = from; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === "'") return { text, dynamic: true, end: i + 1, terminated: true };
  }
  return { text, dynamic: true, end: src.length, terminated: false };
}
