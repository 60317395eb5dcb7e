/**
 * From an opening parenthesis at `open`, the body up to its matching close. A plain scanner (no
 * parsing) that respects quotes, backticks and nested `$(`: linear, so deeply nested input cannot
 * make the parser exponential.
 */
export function readBalanced(src: string, open: number): { body: string; end: number; terminated: boolean } {
  const stack: ("paren" | "dquote" | "backtick")[] = ["paren"];
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i];
    const top = stack[stack.length - 1];
    if (c === "\\") {
      i++;
    } else if (top === "dquote") {
      if (c === '"') stack.pop();
      else if (c === "$" && src[i + 1] === "(") {
        stack.push("paren");
        i++;
      } else if (c === "`") stack.push("backtick");
    } else if (top === "backtick") {
      if (c === "`") stack.pop();
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      i = close < 0 ? src.length : close;
    } else if (c === '"') stack.push("dquote");
    else if (c === "`") stack.push("backtick");
    else if (c === "(") stack.push("paren");
    else if (c === ")") {
      stack.pop();
      if (stack.length === 0) return { body: src.slice(open + 1, i), end: i + 1, terminated: true };
    }
  }
  return { body: src.slice(open + 1), end: src.length, terminated: false };
}
