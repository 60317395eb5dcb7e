import { z } from "zod";

/** Paths of the pairing API (reference/security.md §2). */
export const PAIRING_CODE_PATH = "/api/local-control/v1/pairing-code";
export const PAIR_EXCHANGE_PATH = "/api/pair/exchange";
export const PAIR_DEVICES_PATH = "/api/pair/devices";

/** Bodies of the anonymous pairing endpoints are capped at this size, both ways. */
export const PAIRING_BODY_LIMIT_BYTES = 4096;

/** `POST /api/local-control/v1/pairing-code` request and answer. */
export const pairingCodeRequestSchema = z.object({ proof: z.string() });
export const pairingCodeResponseSchema = z.object({
  formattedCode: z.string(),
  expiresAt: z.string(),
  /** `ABCD-EFGH-JKLM-NPQR`: the same code in full, accepted even while pairing is locked out. */
  fullCode: z.string().optional(),
});

/** `POST /api/pair/exchange` request and answer. */
export const pairExchangeRequestSchema = z.object({
  code: z.string().optional(),
  deviceName: z.string().optional(),
});
export const pairExchangeResponseSchema = z.object({ token: z.string().min(1) });

/** `GET /api/pair/devices`. */
export const pairedDeviceSchema = z.object({
  name: z.string(),
  isBootstrapDevice: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export const pairedDevicesResponseSchema = z.array(pairedDeviceSchema);
export type PairedDevice = z.infer<typeof pairedDeviceSchema>;

export const INVALID_BODY_MESSAGE = "The request body is invalid.";
export const INVALID_PROOF_MESSAGE = "Invalid local-control proof.";
export const LOCAL_CONTROL_UNAVAILABLE_MESSAGE = "Local control is temporarily unavailable.";
export const PAIRING_FIELDS_REQUIRED_MESSAGE = "code and deviceName are required.";
export const INVALID_PAIRING_CODE_MESSAGE = "Invalid, expired, or already-used pairing code.";
export const PAIRING_LOCKED_OUT_MESSAGE = "Too many failed attempts. Try again later.";
