import { join } from "node:path";
import { z } from "zod";
import { htmlToText } from "./html-text.ts";
import { printable } from "./output-bound.ts";
import { looksBinary } from "./paths.ts";
import { DEFAULT_TOOL_TIMEOUT_MS } from "./shell-execute.ts";
import { defineTool, fail, ok, type ToolContext } from "./tool.ts";

export const DOWNLOADS_DIR = "downloads";

const parameters = z.object({
  Url: z.string().min(1).max(8192).describe("An http:// or https:// URL."),
  Format: z
    .enum(["text", "raw"])
    .default("text")
    .describe("text: readable text (HTML converted); raw: the bytes as served."),
});

export type WebFetchOptions = {
  maxBytes?: number;
  maxRedirects?: number;
  previewChars?: number;
  /** Returns why a URL may not be fetched (checked at every hop), e.g. the daemon's own API. */
  blockUrl?: (url: URL) => string | undefined;
};

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "[::]"]);

/**
 * Blocks the daemon's own HTTP API: a loopback caller is trusted there, so a page fetched by the
 * agent must not be able to reach it (through a redirect either).
 */
export function blockDaemonApi(daemon: { host: string; port: number }): (url: URL) => string | undefined {
  const hosts = new Set([...LOOPBACK_NAMES, daemon.host.toLowerCase()]);
  return (url) => {
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const host = url.hostname.toLowerCase();
    const loopback = hosts.has(host) || /^127\./.test(host);
    return loopback && port === daemon.port ? "it is netclaw's own API" : undefined;
  };
}

function httpUrl(value: string, base?: URL): URL | undefined {
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), truncated: false };
    const room = maxBytes - size;
    if (value.length >= room) {
      chunks.push(Buffer.from(value.subarray(0, room)));
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks), truncated: value.length > room };
    }
    chunks.push(Buffer.from(value));
    size += value.length;
  }
}

/** Follows redirects by hand so every hop is checked (http/https only) and counted. */
async function fetchFollowing(options: {
  url: URL;
  ctx: ToolContext;
  signal: AbortSignal;
  maxRedirects: number;
  blockUrl?: (url: URL) => string | undefined;
}) {
  let url = options.url;
  for (let hop = 0; ; hop++) {
    const blocked = options.blockUrl?.(url);
    if (blocked) throw new Error(`${url.href} may not be fetched: ${blocked}`);
    const response = await options.ctx.ops.fetch(url, {
      redirect: "manual",
      signal: options.signal,
      headers: {
        "user-agent": "netclaw-web-fetch",
        accept: "text/html,text/plain,application/json,*/*;q=0.8",
      },
    });
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return { response, url };
    await response.body?.cancel().catch(() => undefined);
    if (hop >= options.maxRedirects)
      throw new Error(`too many redirects (more than ${options.maxRedirects})`);
    const next = httpUrl(location, url);
    if (!next) throw new Error(`redirected to a non-http(s) location: ${location.slice(0, 200)}`);
    url = next;
  }
}

/**
 * `web_fetch`: GET a page, cap its size, save it under `downloads/` in the session directory and
 * return a preview. Only http and https, at every redirect hop.
 */
export function createWebFetchTool(options: WebFetchOptions = {}) {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const previewChars = options.previewChars ?? 8000;
  return defineTool({
    name: "web_fetch",
    description: `Fetch a web page or file over http(s) (at most ${Math.round(maxBytes / 1024 / 1024)} MB). The result is saved in the session directory; a preview is returned.`,
    parameters,
    async execute(args, ctx) {
      const url = httpUrl(args.Url.trim());
      if (!url) return fail(`"${args.Url.slice(0, 200)}" is not an http:// or https:// URL.`);
      const signal = AbortSignal.any([
        ctx.signal,
        AbortSignal.timeout(ctx.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS),
      ]);
      let fetched: Awaited<ReturnType<typeof fetchFollowing>>;
      let body: { bytes: Buffer; truncated: boolean };
      try {
        const blockUrl = (target: URL) => options.blockUrl?.(target) ?? ctx.blockUrl?.(target);
        fetched = await fetchFollowing({ url, ctx, signal, maxRedirects, blockUrl });
        body = await readCapped(fetched.response, maxBytes);
      } catch (error) {
        const reason = signal.aborted
          ? ctx.signal.aborted
            ? "cancelled"
            : "timed out"
          : (error as Error).message;
        return fail(`Fetching ${url.href} failed: ${reason}.`);
      }
      const { response } = fetched;
      const type = response.headers.get("content-type") ?? "";
      const binary = looksBinary(body.bytes) && !/^text\/|json|xml/i.test(type);
      const isHtml =
        /html/i.test(type) ||
        (!type && /^\s*<(!doctype html|html)/i.test(body.bytes.subarray(0, 200).toString()));
      let saved: Buffer | string = body.bytes;
      let extension = binary ? "bin" : isHtml ? "html" : "txt";
      if (args.Format === "text" && !binary) {
        saved = isHtml ? htmlToText(body.bytes.toString("utf8")) : printable(body.bytes);
        extension = "txt";
      }
      const dir = join(ctx.sessionDir, DOWNLOADS_DIR);
      const file = join(dir, `${ctx.callId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80)}.${extension}`);
      try {
        await ctx.ops.fs.mkdir(dir, { recursive: true });
        await ctx.ops.fs.writeFile(file, saved);
      } catch (error) {
        return fail(`Fetched ${fetched.url.href} but could not save it: ${(error as Error).message}.`);
      }
      const header = [
        `${response.status} ${response.statusText} ${fetched.url.href}`,
        `Content-Type: ${type || "unknown"}; ${body.bytes.length} bytes${body.truncated ? ` (cut at the ${maxBytes}-byte limit)` : ""}`,
        `Saved to ${file}`,
      ].join("\n");
      if (binary) return ok(`${header}\nBinary content; not previewed.`);
      const text = typeof saved === "string" ? saved : printable(saved);
      const preview =
        text.length > previewChars
          ? `${text.slice(0, previewChars)}\n[… preview cut; the saved file has it all]`
          : text;
      const result = `${header}\n\n${preview}`;
      return response.ok ? ok(result) : fail(result);
    },
  });
}
