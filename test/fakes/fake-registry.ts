import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { flatHeaders, sendJson } from "./http-util.ts";

/**
 * A fake npm registry for one package, enough for an update check: the packument (full, or
 * abbreviated when asked with `application/vnd.npm.install-v1+json`), one version or dist-tag's
 * manifest, and `/-/package/<pkg>/dist-tags`. Scoped names work encoded (`@s%2fname`) or not.
 */
export type RegistryFailure = { status: number; body?: unknown } | "hang";

export type FakeRegistryOptions = {
  packageName: string;
  /** e.g. `{ latest: "1.2.0", beta: "1.3.0-beta.1" }`. */
  distTags: Record<string, string>;
  /** Versions in the packument besides the dist-tag targets. */
  versions?: string[];
  /** Wait this long before every answer (to exercise client timeouts). */
  latencyMs?: number;
  /** Answer every request with this status (default body `{ error }`), or never answer. */
  failWith?: RegistryFailure;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
};

export type RegistryRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  timestamp: number;
};

export type FakeRegistry = {
  /** `http://127.0.0.1:PORT` — the registry URL to configure. */
  url: string;
  port: number;
  readonly requests: readonly RegistryRequest[];
  setDistTags(distTags: Record<string, string>): void;
  setFailure(failure: RegistryFailure | undefined): void;
  setLatency(latencyMs: number): void;
  /** Resolves once `count` requests arrived; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RegistryRequest[]>;
  /** Stops listening and ends open (also hanging) requests. Idempotent. */
  close(): Promise<void>;
};

const ABBREVIATED = "application/vnd.npm.install-v1+json";
const PUBLISHED = "2025-01-01T00:00:00.000Z";

function manifest(options: { name: string; version: string; url: string }) {
  const { name, version, url } = options;
  const base = name.split("/").at(-1) ?? name;
  const digest = createHash("sha512").update(`${name}@${version}`).digest("base64");
  return {
    name,
    version,
    dist: {
      tarball: `${url}/${name}/-/${base}-${version}.tgz`,
      shasum: createHash("sha1").update(`${name}@${version}`).digest("hex"),
      integrity: `sha512-${digest}`,
    },
  };
}

/** Starts the fake registry on 127.0.0.1. */
export async function createFakeRegistry(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const name = options.packageName;
  let distTags = { ...options.distTags };
  let failure = options.failWith;
  let latencyMs = options.latencyMs ?? 0;
  const requests: RegistryRequest[] = [];
  let url = "";

  const versions = () => [...new Set([...(options.versions ?? []), ...Object.values(distTags)])];

  const packument = (abbreviated: boolean) => {
    const all = versions();
    const manifests = Object.fromEntries(all.map((version) => [version, manifest({ name, version, url })]));
    if (abbreviated) return { name, "dist-tags": distTags, versions: manifests, modified: PUBLISHED };
    const time = Object.fromEntries(all.map((version) => [version, PUBLISHED]));
    return {
      _id: name,
      name,
      "dist-tags": distTags,
      versions: manifests,
      time: { created: PUBLISHED, modified: PUBLISHED, ...time },
    };
  };

  const answer = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (failure !== undefined && failure !== "hang") {
      sendJson({
        res,
        status: failure.status,
        body: failure.body ?? { error: `fake registry: HTTP ${failure.status}` },
      });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson({ res, status: 405, body: { error: "Method not allowed" } });
      return;
    }
    if (path === `/-/package/${name}/dist-tags`) {
      sendJson({ res, status: 200, body: distTags });
      return;
    }
    if (path === `/${name}`) {
      const abbreviated = (req.headers.accept ?? "").includes(ABBREVIATED);
      const headers = abbreviated ? { "content-type": ABBREVIATED } : undefined;
      sendJson({
        res,
        status: 200,
        body: packument(abbreviated),
        ...(headers === undefined ? {} : { headers }),
      });
      return;
    }
    if (path.startsWith(`/${name}/`)) {
      const wanted = path.slice(name.length + 2);
      const version = distTags[wanted] ?? wanted;
      if (versions().includes(version)) {
        sendJson({ res, status: 200, body: manifest({ name, version, url }) });
        return;
      }
    }
    sendJson({ res, status: 404, body: { error: "Not found" } });
  };

  const server = createServer((req, res) => {
    const raw = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // Keep the raw path; it will simply not match.
    }
    requests.push({ method: req.method ?? "GET", path, headers: flatHeaders(req), timestamp: Date.now() });
    req.resume();
    const respond = async () => {
      if (latencyMs > 0) await sleep(latencyMs);
      if (failure === "hang" || res.destroyed) return;
      answer(req, res, path);
    };
    respond().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    get requests() {
      return requests;
    },
    setDistTags(next) {
      distTags = { ...next };
    },
    setFailure(next) {
      failure = next;
    },
    setLatency(next) {
      latencyMs = next;
    },
    async waitForRequests(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `fake registry: expected ${count} request(s), got ${requests.length} within ${timeoutMs} ms`,
          );
        }
        await sleep(5);
      }
      return requests;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
