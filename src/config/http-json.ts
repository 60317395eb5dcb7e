import type { IncomingMessage } from "node:http";

export type JsonResponse = { status: number; body: unknown };

/**
 * GET a small JSON document with node:http(s) — lighter than global fetch, which loads undici
 * (~3.5 MB resident) into a daemon that may otherwise never need it. Follows no redirects, caps
 * the body at `maxBytes`, and rejects on timeout, transport errors and invalid JSON.
 */
export async function getJson(
  url: string,
  options: { timeoutMs: number; maxBytes?: number },
): Promise<JsonResponse> {
  const target = new URL(url);
  const { request } = target.protocol === "https:" ? await import("node:https") : await import("node:http");
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: "GET", headers: { accept: "application/json" }, timeout: options.timeoutMs },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy(new Error(`response larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, body: text === "" ? undefined : JSON.parse(text) });
          } catch {
            reject(new Error("the response is not JSON"));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { name: "TimeoutError" })));
    req.on("error", reject);
    req.end();
  });
}
