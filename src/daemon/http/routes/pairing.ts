import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type DeviceRegistry, generateDeviceToken } from "../../../config/device-registry.ts";
import { NetclawError } from "../../../protocol/errors.ts";
import {
  INVALID_PAIRING_CODE_MESSAGE,
  PAIR_DEVICES_PATH,
  PAIR_EXCHANGE_PATH,
  PAIRING_BODY_LIMIT_BYTES,
  PAIRING_FIELDS_REQUIRED_MESSAGE,
  PAIRING_LOCKED_OUT_MESSAGE,
  type PairedDevice,
  pairExchangeRequestSchema,
} from "../../../protocol/pairing.ts";
import type { PairingCodes } from "../../pairing/pairing-codes.ts";
import type { FailureLockout, FixedWindowLimiter } from "../../pairing/rate-limit.ts";
import { invalidBody, pairingBodyErrors, tooManyRequests } from "./pairing-guards.ts";

export type PairingRoutesOptions = {
  codes: PairingCodes;
  registry: DeviceRegistry;
  /** 5 exchanges per minute per client IP. */
  limiter: FixedWindowLimiter;
  /** 10 invalid codes in 15 minutes lock the client IP out for 15 minutes. */
  lockout: FailureLockout;
  /** This daemon's home id, handed to a device that pairs (with its token) so it can recognise us. */
  homeId?: string;
  /** Audit hook: a device was paired or revoked (names only, never tokens). */
  onChange?: (event: { action: "paired" | "revoked"; deviceName: string; ip: string }) => void;
};

/**
 * `POST /api/pair/exchange` (anonymous, reference/security.md §2.3) and the authorized device
 * list/revoke endpoints. The exchange answers, in this order: locked out → 429 + Retry-After;
 * over 5/min → 429; blank field → 400; no code ever issued → 404 (empty body); wrong, expired or
 * used code → 401 (counts a failure; checked before the name so names cannot be probed); name
 * taken → 409 (the code stays valid); else the device is stored, then the code consumed → 200.
 */
export function pairingRoutes(options: PairingRoutesOptions) {
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const locked = options.lockout.check(request.ip);
    if (locked.locked) {
      return tooManyRequests(reply, {
        retryAfterSeconds: locked.retryAfterSeconds,
        code: "pairing_locked_out",
        message: PAIRING_LOCKED_OUT_MESSAGE,
      });
    }
    const rate = options.limiter.hit(request.ip);
    if (!rate.allowed) {
      return tooManyRequests(reply, {
        retryAfterSeconds: rate.retryAfterSeconds,
        code: "rate_limited",
        message: "Too many pairing attempts. Try again later.",
      });
    }
    return undefined;
  };

  return (app: FastifyInstance) => {
    app.post(
      PAIR_EXCHANGE_PATH,
      {
        config: { anonymous: true },
        bodyLimit: PAIRING_BODY_LIMIT_BYTES,
        onRequest: guard,
        errorHandler: pairingBodyErrors,
      },
      async (request, reply) => {
        const body = pairExchangeRequestSchema.safeParse(request.body);
        if (!body.success) throw invalidBody();
        const code = body.data.code?.trim() ?? "";
        const deviceName = body.data.deviceName?.trim() ?? "";
        if (code === "" || deviceName === "") {
          throw new NetclawError("pairing_fields_required", PAIRING_FIELDS_REQUIRED_MESSAGE, { status: 400 });
        }
        const token = generateDeviceToken();
        // A taken (409) or invalid (400) name throws out of redeem, which releases the code.
        const result = await options.codes.redeem({
          input: code,
          commit: () => options.registry.add({ name: deviceName, isBootstrap: false, token }),
        });
        if (!result.ok) {
          if (result.reason === "no_live_code") return reply.code(404).send();
          options.lockout.recordFailure(request.ip);
          throw new NetclawError("invalid_pairing_code", INVALID_PAIRING_CODE_MESSAGE, { status: 401 });
        }
        options.onChange?.({ action: "paired", deviceName: result.value.name, ip: request.ip });
        return options.homeId ? { token, homeId: options.homeId } : { token };
      },
    );

    app.get(
      PAIR_DEVICES_PATH,
      async (): Promise<PairedDevice[]> =>
        options.registry.list().map((device) => ({
          name: device.name,
          isBootstrapDevice: device.isBootstrapDevice,
          createdAt: device.createdAt,
          lastUsedAt: device.lastUsedAt,
        })),
    );

    app.delete<{ Params: { name: string } }>(`${PAIR_DEVICES_PATH}/:name`, async (request, reply) => {
      const name = request.params.name;
      if (!options.registry.revoke(name)) {
        throw new NetclawError("device_not_found", `Device '${name}' not found.`, { status: 404 });
      }
      options.onChange?.({ action: "revoked", deviceName: name, ip: request.ip });
      return reply.code(204).send();
    });
  };
}
