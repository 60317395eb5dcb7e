import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { NETCLAW } from "./processes.ts";

const exec = promisify(execFile);

/** A real terminal (a tmux pane) running `netclaw` with the given arguments and environment. */
export type Terminal = {
  /** `tmux send-keys` arguments: literal text, or key names such as `Enter`, `C-c`, `M-Enter`. */
  keys(...keys: string[]): Promise<void>;
  /** Sends text literally (no key-name lookup). */
  type(text: string): Promise<void>;
  /** The visible screen plus scrollback, trailing blank lines removed; `escapes` keeps SGR styles. */
  screen(options?: { escapes?: boolean }): Promise<string>;
  /** Resolves with the screen once `test` matches it; rejects with the last screen on timeout. */
  waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
};

/**
 * Starts `netclaw <args>` in a detached tmux session on a private server socket (so tests never
 * touch anyone else's tmux). When netclaw exits the pane prints `EXIT=<code>` and stays open.
 */
export async function openTerminal(options: {
  dir: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
}): Promise<Terminal> {
  const socket = `netclaw-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const script = join(options.dir, `${socket}.sh`);
  const exports = Object.entries(options.env)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `export ${key}=${shellQuote(value!)}`);
  const command = [process.execPath, NETCLAW, ...options.args].map(shellQuote).join(" ");
  writeFileSync(script, `${exports.join("\n")}\n${command}\necho "EXIT=$?"\nsleep 600\n`);
  const tmux = (...args: string[]) => exec("tmux", ["-L", socket, "-f", "/dev/null", ...args]);
  await tmux(
    "new-session",
    "-d",
    "-s",
    "chat",
    "-x",
    String(options.columns ?? 100),
    "-y",
    String(options.rows ?? 30),
    `sh ${shellQuote(script)}`,
  );
  await tmux("set-option", "-t", "chat", "history-limit", "5000");
  const screen = async (options: { escapes?: boolean } = {}) => {
    const flags = options.escapes ? ["-e"] : [];
    const { stdout } = await tmux("capture-pane", "-p", "-J", ...flags, "-S", "-", "-t", "chat");
    return stdout.replace(/\s+$/, "");
  };
  return {
    async keys(...keys) {
      await tmux("send-keys", "-t", "chat", ...keys);
    },
    async type(text) {
      await tmux("send-keys", "-t", "chat", "-l", text);
    },
    screen,
    async waitFor(test, timeoutMs = 15_000) {
      const matches = typeof test === "function" ? test : (text: string) => test.test(text);
      const deadline = Date.now() + timeoutMs;
      let last = "";
      while (Date.now() < deadline) {
        last = await screen({});
        if (matches(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for ${String(test)}; the screen was:\n${last}`);
    },
    async close() {
      await tmux("kill-server").catch(() => {});
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
