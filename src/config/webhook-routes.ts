import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.ts";
import { UNSUPPORTED_WEBHOOK_ROUTE_KEYS, unsupportedKey } from "./unsupported-keys.ts";

/** Route names double as file names and URL segments: `config/webhooks/<route>.json`. */
export const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Upper bound for `MaxBodyBytes`: a route may lower the cap, never lift it past this. */
export const MAX_BODY_BYTES_LIMIT = 16 * 1024 * 1024;

const header = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,100}$/, "must be an HTTP header name (letters, digits, '-')");

const verification = z.object({
  Kind: z.enum(["Hmac", "HmacTimestamped", "HeaderSecret"]).default("Hmac"),
  Secret: z.string().min(16, "must be at least 16 characters"),
  SignatureHeader: header.default("X-Webhook-Signature"),
  /** Accepted (and stripped) before the hex digest, e.g. GitHub's `sha256=`. */
  SignaturePrefix: z.string().max(32).default("sha256="),
  TimestampHeader: header.default("X-Webhook-Timestamp"),
  ToleranceSeconds: z.number().int().min(1).max(3600).default(300),
  SecretHeader: header.default("X-Webhook-Secret"),
  EventHeader: header.default("X-Webhook-Event"),
  DeliveryHeader: header.default("X-Webhook-Delivery"),
});

/** One `config/webhooks/<route>.json` file (reference/core.md §4 `Webhooks`). */
export const webhookRouteSchema = z.object({
  Enabled: z.boolean().default(true),
  /** Allowed event types (the event header); empty = every event. */
  Events: z.array(z.string().min(1).max(200)).max(200).default([]),
  Audience: z.enum(["Public", "Team", "Personal"]).default("Public"),
  Prompt: z.string().min(1, "must say what the agent should do with a delivery").max(20_000),
  NotifyInstructions: z.string().max(20_000).optional(),
  MaxBodyBytes: z.number().int().min(1).max(MAX_BODY_BYTES_LIMIT).default(DEFAULT_MAX_BODY_BYTES),
  RateLimitPerMinute: z.number().int().min(1).max(10_000).default(30),
  Verification: verification,
});

export type WebhookRoute = z.infer<typeof webhookRouteSchema>;
export type WebhookRouteInput = z.input<typeof webhookRouteSchema>;

/**
 * Result of reading one route file: a valid route (with the documented keys it sets that are not
 * supported yet, e.g. `NotificationTarget`) or the reason it is disabled.
 */
export type RouteFileResult =
  | { ok: true; name: string; route: WebhookRoute; looseMode: boolean; unsupported: string[] }
  | { ok: false; name: string; error: string };

/** Keys are case-insensitive like the rest of the configuration: `prompt` = `Prompt`. */
function canonicalKeys(value: unknown, shape: Record<string, z.ZodType>): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[keys.get(key.toLowerCase()) ?? key] = v;
  return out;
}

/**
 * Validates a parsed route document; the message names each bad key and never echoes a value.
 * `unsupported` lists the keys it sets that no code reads yet (ignored, for a warning).
 */
export function parseWebhookRoute(
  value: unknown,
): { ok: true; route: WebhookRoute; unsupported: string[] } | { ok: false; error: string } {
  const top = canonicalKeys(value, webhookRouteSchema.shape) as Record<string, unknown>;
  const unsupported =
    top && typeof top === "object"
      ? Object.keys(top).flatMap((key) => unsupportedKey([key], UNSUPPORTED_WEBHOOK_ROUTE_KEYS) ?? [])
      : [];
  if (top && typeof top === "object" && "Verification" in top) {
    top.Verification = canonicalKeys(top.Verification, verification.shape);
  }
  const parsed = webhookRouteSchema.safeParse(top);
  if (parsed.success) return { ok: true, route: parsed.data, unsupported };
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(file)";
    return `${path}: ${issue.message}`;
  });
  return { ok: false, error: problems.join("; ") };
}

export function routeFilePath(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

/** Reads and validates one route file; never throws. */
export function readRouteFile(dir: string, name: string): RouteFileResult {
  const path = routeFilePath(dir, name);
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, "utf8");
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { ok: false, name, error: `there is no webhook route named '${name}' (${path} does not exist)` };
    }
    return { ok: false, name, error: `cannot read ${path}: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, name, error: `${path} is not valid JSON` };
  }
  const parsed = parseWebhookRoute(json);
  if (!parsed.ok) return { ok: false, name, error: `${path}: ${parsed.error}` };
  return {
    ok: true,
    name,
    route: parsed.route,
    looseMode: (mode & 0o077) !== 0,
    unsupported: parsed.unsupported,
  };
}

/** Route names that have a file in `dir` (`<name>.json`; temp and hidden files are skipped). */
export function listRouteNames(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .map((f) => f.slice(0, -".json".length))
    .filter((name) => ROUTE_NAME.test(name))
    .sort();
}

/** Creates `config/webhooks/` owner-only (it holds secrets). */
export function ensureWebhooksDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Validates and writes a route file atomically with mode 0600; throws on an invalid route. */
export function writeRouteFile(options: {
  dir: string;
  name: string;
  route: WebhookRouteInput;
}): WebhookRoute {
  if (!ROUTE_NAME.test(options.name)) {
    throw new Error(
      `Invalid route name '${options.name}': use 1-64 letters, digits, '-' or '_', starting with a letter or digit.`,
    );
  }
  const parsed = parseWebhookRoute(options.route);
  if (!parsed.ok) throw new Error(`Invalid webhook route '${options.name}': ${parsed.error}`);
  ensureWebhooksDir(options.dir);
  writeJsonAtomic(routeFilePath(options.dir, options.name), options.route, { mode: 0o600, forceMode: true });
  return parsed.route;
}

/** Deletes a route file; false when there was none. */
export function deleteRouteFile(dir: string, name: string): boolean {
  if (!ROUTE_NAME.test(name)) return false;
  try {
    unlinkSync(routeFilePath(dir, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
