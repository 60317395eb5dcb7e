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
import { clientAddressOf } from "../app.ts";
import { invalidBody, limitKeyOf, pairingBodyErrors, tooManyRequests } from "./pairing-guards.ts";

export type PairingRoutesOptions = {
  codes: PairingCodes;
  registry: DeviceRegistry;
  /** 5 exchanges per minute per client address. */
  limiter: FixedWindowLimiter;
  /** 10 invalid codes in 15 minutes lock the client address out for 15 minutes. */
  lockout: FailureLockout;
  /**
   * A ceiling on invalid codes from all clients together (key `*`): rotating addresses must not
   * buy unlimited guesses. It can lock everyone out of the short code — the full code still works.
   */
  globalLockout?: FailureLockout;
  /** Audit hook: a device was paired or revoked (names only, never tokens). */
  onChange?: (event: { action: "paired" | "revoked"; deviceName: string; ip: string }) => void;
};

type Refusal = { retryAfterSeconds: number; code: string; message: string };

const GLOBAL_KEY = "*";

/**
 * `POST /api/pair/exchange` (anonymous, reference/security.md §2.3) and the authorized device
 * list/revoke endpoints. The exchange answers, in this order: locked out → 429 + Retry-After;
 * over 5/min → 429; blank field → 400; no code ever issued → 404 (empty body); wrong, expired or
 * used code → 401 (counts a failure; checked before the name so names cannot be probed); name
 * taken → 409 (the code stays valid); else the device is stored, then the code consumed → 200.
 *
 * Limits are per real client address (client-address.ts), so one client cannot lock out others.
 * The one exception to the 429s is the live code's *full* form (80 bits, printed by
 * `netclaw daemon pair` on the host): it is accepted even from a locked-out address or while the
 * global ceiling is reached, because no rate of guessing finds it — so an attacker who shares
 * the owner's address, or floods from many, cannot keep the owner from pairing.
 */
export function pairingRoutes(options: PairingRoutesOptions) {
  // Decided in onRequest (before the body is read, so limits are counted for every attempt) and
  // applied once the body shows whether it carries the full code.
  const refusals = new WeakMap<FastifyRequest, Refusal>();
  const admit = async (request: FastifyRequest) => {
    const refusal = admission(options, limitKeyOf(request));
    if (refusal) refusals.set(request, refusal);
  };
  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = refusals.get(request);
    return refusal ? tooManyRequests(reply, refusal) : undefined;
  };

  return (app: FastifyInstance) => {
    app.post(
      PAIR_EXCHANGE_PATH,
      {
        config: { anonymous: true },
        bodyLimit: PAIRING_BODY_LIMIT_BYTES,
        onRequest: admit,
        errorHandler: (error, request, reply) => {
          if (!refuse(request, reply)) pairingBodyErrors(error, request, reply);
        },
      },
      async (request, reply) => {
        const body = pairExchangeRequestSchema.safeParse(request.body);
        const code = body.success ? (body.data.code?.trim() ?? "") : "";
        if (!options.codes.isFullCode(code)) {
          const refused = refuse(request, reply);
          if (refused) return refused;
        }
        if (!body.success) throw invalidBody();
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
        const ip = clientAddressOf(request);
        if (!result.ok) {
          if (result.reason === "no_live_code") return reply.code(404).send();
          options.lockout.recordFailure(limitKeyOf(request));
          options.globalLockout?.recordFailure(GLOBAL_KEY);
          throw new NetclawError("invalid_pairing_code", INVALID_PAIRING_CODE_MESSAGE, { status: 401 });
        }
        options.onChange?.({ action: "paired", deviceName: result.value.name, ip });
        return { token };
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
      options.onChange?.({ action: "revoked", deviceName: name, ip: clientAddressOf(request) });
      return reply.code(204).send();
    });
  };
}

/** The 429 a client gets before its code is looked at, or `undefined` to go on. */
function admission(options: PairingRoutesOptions, key: string): Refusal | undefined {
  const locked = options.lockout.check(key);
  const everyone = options.globalLockout?.check(GLOBAL_KEY) ?? { locked: false };
  const lockedFor = locked.locked ? locked : everyone.locked ? everyone : undefined;
  if (lockedFor) {
    return {
      retryAfterSeconds: lockedFor.retryAfterSeconds,
      code: "pairing_locked_out",
      message: PAIRING_LOCKED_OUT_MESSAGE,
    };
  }
  const rate = options.limiter.hit(key);
  if (!rate.allowed) {
    return {
      retryAfterSeconds: rate.retryAfterSeconds,
      code: "rate_limited",
      message: "Too many pairing attempts. Try again later.",
    };
  }
  return undefined;
}
