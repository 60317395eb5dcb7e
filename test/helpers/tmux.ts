import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/**
 * A real terminal for interactive tests: a detached tmux session running one command, keys sent
 * with `send-keys`, the screen read with `capture-pane`.
 */
export function startTerminal(options: {
  command: string;
  env: NodeJS.ProcessEnv;
  width?: number;
  height?: number;
}) {
  const name = `nc-${randomBytes(4).toString("hex")}`;
  const exports = Object.entries(options.env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${shellQuote(String(v))}`)
    .join(" ");
  // The pane stays open after the command ends so its last screen and exit code can be read.
  const script = `env -i ${exports} ${options.command}; echo "[exit $?]"; sleep 600`;
  execFileSync("tmux", [
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(options.width ?? 120),
    "-y",
    String(options.height ?? 45),
    script,
  ]);
  const screen = () => execFileSync("tmux", ["capture-pane", "-p", "-J", "-t", name], { encoding: "utf8" });
  return {
    screen,
    /** Keys in tmux syntax (`Enter`, `Down`, `C-c`) or literal text with `{ literal: true }`. */
    send(keys: string[], options: { literal?: boolean } = {}) {
      execFileSync("tmux", ["send-keys", "-t", name, ...(options.literal ? ["-l"] : []), ...keys]);
    },
    type(text: string) {
      execFileSync("tmux", ["send-keys", "-t", name, "-l", text]);
    },
    /**
     * Types into a prompt that has just appeared and waits until the screen shows a change. Keys
     * sent while a prompt is still starting can be lost on a busy machine; then the line is cleared
     * (Ctrl+U) and typed again, so a slow echo is never typed twice into the answer.
     */
    async typeInto(text: string, timeoutMs = 15_000): Promise<void> {
      const before = screen();
      const changed = async (ms: number) => {
        for (const end = Date.now() + ms; Date.now() < end; ) {
          if (screen() !== before) return true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return false;
      };
      execFileSync("tmux", ["send-keys", "-t", name, "-l", text]);
      if (await changed(timeoutMs / 2)) return;
      execFileSync("tmux", ["send-keys", "-t", name, "C-u"]);
      execFileSync("tmux", ["send-keys", "-t", name, "-l", text]);
      if (await changed(timeoutMs / 2)) return;
      throw new Error(`terminal never echoed typed text; screen:\n${screen()}`);
    },
    /** Waits until the screen matches; throws with the screen when it does not within `timeoutMs`. */
    async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; screen:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close() {
      try {
        execFileSync("tmux", ["kill-session", "-t", name], { stdio: "ignore" });
      } catch {
        // already gone
      }
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
