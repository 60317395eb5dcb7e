import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { homePaths } from "../../src/config/home.ts";
import { loadOrCreateLocalControlKey, mintProof } from "../../src/config/local-control.ts";
import { readSecrets } from "../../src/config/secrets-file.ts";

export type RawResponse = {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
};

/**
 * One HTTP request with full control: source address (`localAddress`, any of 127.0.0.0/8 here),
 * headers (including Host) and raw body. No redirects, no pooling.
 */
export function raw(options: {
  url: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
}): Promise<RawResponse> {
  const target = new URL(options.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path,
        method: options.method ?? "GET",
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A valid local-control proof for the daemon of `home` (the daemon must have created the key). */
export function proofFor(home: string, now: () => number = Date.now): string {
  const key = loadOrCreateLocalControlKey({ keyPath: homePaths(home).localControlKey, create: false });
  if (!key) throw new Error("the daemon has not created keys/local-control.key yet");
  return mintProof({ key, now });
}

/** Asks the daemon for a pairing code with a fresh proof; returns the formatted code. */
export async function issueCode(options: {
  url: string;
  home: string;
  localAddress?: string;
}): Promise<string> {
  const res = await raw({
    url: options.url,
    path: "/api/local-control/v1/pairing-code",
    method: "POST",
    body: JSON.stringify({ proof: proofFor(options.home) }),
    localAddress: options.localAddress,
  });
  if (res.status !== 200) throw new Error(`pairing-code answered ${res.status}: ${res.body}`);
  return (JSON.parse(res.body) as { formattedCode: string }).formattedCode;
}

/** Pairs a device through the real endpoints and returns its token. */
export async function pairDevice(options: {
  url: string;
  home: string;
  name: string;
  localAddress?: string;
}): Promise<string> {
  const code = await issueCode(options);
  const res = await raw({
    url: options.url,
    path: "/api/pair/exchange",
    method: "POST",
    body: JSON.stringify({ code, deviceName: options.name }),
    localAddress: options.localAddress,
  });
  if (res.status !== 200) throw new Error(`exchange answered ${res.status}: ${res.body}`);
  return (JSON.parse(res.body) as { token: string }).token;
}

/** The decrypted `DeviceToken` of a home's secrets.json (the bootstrap token after seeding). */
export function storedDeviceToken(home: string): string | undefined {
  const paths = homePaths(home);
  const token = readSecrets({ secretsPath: paths.secretsFile, keyPath: paths.secretsKey }).value.DeviceToken;
  return typeof token === "string" ? token : undefined;
}

/** Whether unprivileged user + PID + network namespaces work here (they isolate /proc and addresses). */
export function namespacesAvailable(): boolean {
  const probe = spawnSync("unshare", ["-rnpf", "--mount-proc", "true"], { stdio: "ignore" });
  return probe.status === 0;
}

/**
 * Runs node inside fresh user + PID namespaces: its /proc shows only its own processes. unshare
 * ignores SIGTERM; SIGKILL it and `--kill-child` hands the daemon a SIGTERM.
 */
export const PID_NAMESPACE = ["unshare", "-rpf", "--mount-proc", "--kill-child=SIGTERM"];
