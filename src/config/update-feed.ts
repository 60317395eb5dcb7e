import { getJson } from "./http-json.ts";

/**
 * The release feed is the npm registry's dist-tags for the `netclaw` package (ARCHITECTURE.md
 * §9): `latest` is the stable channel, `beta` the beta channel. Shared by the daemon's periodic
 * check and `netclaw update`.
 */

export const UPDATE_CHANNELS = ["stable", "beta"] as const;
export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];
export const PACKAGE_NAME = "netclaw";

/** `Unknown UpdateChannel value: 'x'. Valid values: stable, beta.` or the parsed channel. */
export function parseUpdateChannel(value: string): UpdateChannel | { message: string; remediation: string } {
  const lowered = value.trim().toLowerCase();
  const match = UPDATE_CHANNELS.find((channel) => channel === lowered);
  if (match) return match;
  return {
    message: `Unknown UpdateChannel value: '${value}'. Valid values: ${UPDATE_CHANNELS.join(", ")}.`,
    remediation: "Set Daemon.UpdateChannel to stable or beta, or remove it to use stable.",
  };
}

type SemVer = { major: number; minor: number; patch: number; pre: string[] };
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseSemVer(version: string): SemVer | undefined {
  const m = SEMVER.exec(version.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split(".") : [] };
}

/** SemVer 2.0 precedence: negative if a < b, 0 if equal, positive if a > b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const key of ["major", "minor", "patch"] as const) if (a[key] !== b[key]) return a[key] - b[key];
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length; // release > prerelease
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export type UpdateResult =
  | { state: "up-to-date" | "update-available"; currentVersion: string; latestVersion: string }
  | { state: "unknown"; currentVersion: string; latestVersion: null; message: string };

/**
 * Asks the feed for the channel's newest version and compares it with `currentVersion`. Never
 * throws: network failures, timeouts and odd answers come back as `unknown` with a reason.
 * The beta channel takes the newer of `beta` and `latest`.
 */
export async function checkForUpdate(options: {
  feedUrl: string;
  channel: UpdateChannel;
  currentVersion: string;
  timeoutMs: number;
}): Promise<UpdateResult> {
  const { currentVersion } = options;
  const unknown = (message: string): UpdateResult => ({
    state: "unknown",
    currentVersion,
    latestVersion: null,
    message,
  });
  const url = `${options.feedUrl.replace(/\/+$/, "")}/-/package/${PACKAGE_NAME}/dist-tags`;
  let tags: Record<string, unknown>;
  try {
    const response = await getJson(url, { timeoutMs: options.timeoutMs });
    if (response.status !== 200) return unknown(`the release feed answered HTTP ${response.status}`);
    const parsed = response.body;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return unknown("the release feed sent no dist-tags");
    tags = parsed as Record<string, unknown>;
  } catch (error) {
    const name = (error as Error).name;
    return unknown(
      name === "TimeoutError"
        ? "the release feed did not answer in time"
        : `the release feed is unreachable (${(error as Error).message})`,
    );
  }
  const candidates = (options.channel === "beta" ? [tags.beta, tags.latest] : [tags.latest])
    .filter((v): v is string => typeof v === "string")
    .map((v) => ({ raw: v, parsed: parseSemVer(v) }))
    .filter((v): v is { raw: string; parsed: SemVer } => v.parsed !== undefined)
    .sort((a, b) => compareSemVer(b.parsed, a.parsed));
  const newest = candidates[0];
  const current = parseSemVer(currentVersion);
  if (!newest || !current) return unknown("the release feed or this build has no comparable version");
  return {
    state: compareSemVer(newest.parsed, current) > 0 ? "update-available" : "up-to-date",
    currentVersion,
    latestVersion: newest.raw,
  };
}
