import type { FastifyInstance } from "fastify";
import { parseAndVerifyProof } from "../../../config/local-control.ts";
import { NetclawError } from "../../../protocol/errors.ts";
import {
  INVALID_PROOF_MESSAGE,
  LOCAL_CONTROL_UNAVAILABLE_MESSAGE,
  PAIRING_BODY_LIMIT_BYTES,
  PAIRING_CODE_PATH,
  pairingCodeRequestSchema,
} from "../../../protocol/pairing.ts";
import type { NonceCache } from "../../pairing/nonce-cache.ts";
import type { PairingCodes } from "../../pairing/pairing-codes.ts";
import type { FixedWindowLimiter } from "../../pairing/rate-limit.ts";
import { invalidBody, pairingBodyErrors, rateLimitHook } from "./pairing-guards.ts";

export type LocalControlRoutesOptions = {
  /** The 32-byte `keys/local-control.key`. */
  key: Uint8Array;
  nonces: NonceCache;
  /** 10 requests per second per client IP. */
  limiter: FixedWindowLimiter;
  codes: PairingCodes;
  now: () => number;
  /** Told only when a code was issued and until when it is valid — never the code. */
  onIssued: (expiresAt: Date) => void;
};

/**
 * `POST /api/local-control/v1/pairing-code` (reference/security.md §2.2): anonymous at the HTTP
 * layer — the local-control proof is the credential, and nothing else (loopback origin, forwarded
 * headers, device tokens) replaces it. Order: 10/s per IP (429) → body ≤ 4 KiB (413) → JSON
 * (400) → proof version (400) → proof MAC/operation/age (401) → single use (401) → nonce room (503).
 */
export function localControlRoutes(options: LocalControlRoutesOptions) {
  return (app: FastifyInstance) => {
    app.post(
      PAIRING_CODE_PATH,
      {
        config: { anonymous: true },
        bodyLimit: PAIRING_BODY_LIMIT_BYTES,
        onRequest: rateLimitHook(options.limiter, "Too many local-control requests. Try again later."),
        errorHandler: pairingBodyErrors,
      },
      async (request) => {
        const body = pairingCodeRequestSchema.safeParse(request.body);
        if (!body.success) throw invalidBody();
        const verified = parseAndVerifyProof({ key: options.key, proof: body.data.proof, now: options.now });
        if (!verified.ok) {
          if (verified.reason === "unsupported_version") {
            throw new NetclawError(
              "unsupported_protocol_version",
              "unsupported_protocol_version: this daemon speaks local-control version 1; run the netclaw CLI of the same version as netclawd.",
              { status: 400 },
            );
          }
          throw new NetclawError("invalid_proof", INVALID_PROOF_MESSAGE, { status: 401 });
        }
        const use = options.nonces.use(verified);
        if (use === "replayed")
          throw new NetclawError("invalid_proof", INVALID_PROOF_MESSAGE, { status: 401 });
        if (use === "full") {
          throw new NetclawError("local_control_unavailable", LOCAL_CONTROL_UNAVAILABLE_MESSAGE, {
            status: 503,
            isRetryable: true,
          });
        }
        const issued = options.codes.issue();
        const expiresAt = new Date(issued.expiresAt);
        options.onIssued(expiresAt);
        return {
          formattedCode: issued.formattedCode,
          expiresAt: expiresAt.toISOString(),
          fullCode: issued.formattedFullCode,
        };
      },
    );
  };
}
