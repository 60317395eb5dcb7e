import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookRoute } from "../../../config/webhook-routes.ts";

export type Headers = Record<string, string | string[] | undefined>;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Constant-time equality of two byte strings of any length (hashing first hides the length). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function hmacMatches(options: { secret: string; data: Buffer; header: string | undefined; prefix: string }) {
  let given = options.header?.trim();
  if (!given) return false;
  if (options.prefix && given.toLowerCase().startsWith(options.prefix.toLowerCase())) {
    given = given.slice(options.prefix.length);
  }
  if (!HEX_SHA256.test(given)) return false;
  const expected = createHmac("sha256", options.secret).update(options.data).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/**
 * Checks a delivery against the route's `Verification` (security.md §7):
 * - `Hmac`: hex HMAC-SHA256 of the raw body in the signature header, optional prefix (`sha256=`);
 * - `HmacTimestamped`: unix-seconds timestamp header within `ToleranceSeconds` of `nowMs` (either
 *   direction), signature over `<timestamp>.<raw body>`;
 * - `HeaderSecret`: the secret itself in the secret header.
 * Every comparison is constant-time; reasons never contain the secret or the presented value.
 */
export function verifyDelivery(options: {
  verification: WebhookRoute["Verification"];
  headers: Headers;
  rawBody: Buffer;
  nowMs: number;
}): VerifyResult {
  const v = options.verification;
  switch (v.Kind) {
    case "HeaderSecret": {
      const given = headerValue(options.headers, v.SecretHeader);
      if (given === undefined) return { ok: false, reason: `missing ${v.SecretHeader} header` };
      return sameBytes(Buffer.from(given, "utf8"), Buffer.from(v.Secret, "utf8"))
        ? { ok: true }
        : { ok: false, reason: "secret mismatch" };
    }
    case "HmacTimestamped": {
      const stamp = headerValue(options.headers, v.TimestampHeader)?.trim();
      if (!stamp || !/^\d{1,12}$/.test(stamp)) {
        return { ok: false, reason: `missing or malformed ${v.TimestampHeader} header` };
      }
      const skewSeconds = Math.abs(options.nowMs / 1000 - Number(stamp));
      if (skewSeconds > v.ToleranceSeconds) {
        return { ok: false, reason: `timestamp outside the ${v.ToleranceSeconds} s tolerance` };
      }
      const data = Buffer.concat([Buffer.from(`${stamp}.`, "utf8"), options.rawBody]);
      const header = headerValue(options.headers, v.SignatureHeader);
      return hmacMatches({ secret: v.Secret, data, header, prefix: v.SignaturePrefix })
        ? { ok: true }
        : { ok: false, reason: "signature mismatch" };
    }
    default: {
      const header = headerValue(options.headers, v.SignatureHeader);
      return hmacMatches({ secret: v.Secret, data: options.rawBody, header, prefix: v.SignaturePrefix })
        ? { ok: true }
        : { ok: false, reason: "signature mismatch" };
    }
  }
}

/** The signature header value a sender computes for `Hmac`/`HmacTimestamped` (for tests and docs). */
export function signBody(options: { secret: string; body: string | Buffer; timestamp?: string }): string {
  const hmac = createHmac("sha256", options.secret);
  if (options.timestamp !== undefined) hmac.update(`${options.timestamp}.`);
  return `sha256=${hmac.update(options.body).digest("hex")}`;
}
