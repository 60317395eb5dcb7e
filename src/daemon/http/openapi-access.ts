import {
  PAIR_DEVICES_PATH,
  PAIR_EXCHANGE_PATH,
  PAIRING_CODE_PATH,
  pairExchangeRequestSchema,
  pairExchangeResponseSchema,
  pairedDevicesResponseSchema,
  pairingCodeRequestSchema,
  pairingCodeResponseSchema,
} from "../../protocol/pairing.ts";
import { webhookDeliveryResponseSchema } from "../../protocol/webhooks.ts";
import { body, error, json, type OpenApiObject, pathParam, retryAfter } from "./openapi-schema.ts";

const invalidBody = error("The request body is invalid (not a JSON object of the expected shape)");
const tooLarge = error("The body is larger than 4 KiB");

/**
 * Pairing (reference/security.md §2), device management and signed webhooks: the anonymous
 * endpoints, each with its own credential (local-control proof, pairing code, route signature).
 */
export function accessPaths(): Record<string, OpenApiObject> {
  return {
    [PAIRING_CODE_PATH]: {
      post: {
        operationId: "createPairingCode",
        summary: "Mint a pairing code (anonymous; the body's local-control proof is the credential)",
        security: [],
        requestBody: body(pairingCodeRequestSchema),
        responses: {
          "200": json(pairingCodeResponseSchema, "A single-use code, valid 5 minutes"),
          "400": invalidBody,
          "401": error("Invalid, expired or replayed local-control proof"),
          "413": tooLarge,
          "429": error("More than 10 requests a second from this address", retryAfter),
          "503": error("Local control is temporarily unavailable"),
        },
      },
    },
    [PAIR_EXCHANGE_PATH]: {
      post: {
        operationId: "exchangePairingCode",
        summary: "Trade a pairing code for a device token (anonymous)",
        security: [],
        requestBody: body(pairExchangeRequestSchema),
        responses: {
          "200": json(pairExchangeResponseSchema, "The new device's token (shown once)"),
          "400": error("Invalid body, blank field or invalid device name"),
          "401": error("Invalid, expired, or already-used pairing code"),
          "404": { description: "No pairing code was ever issued (empty body)" },
          "409": error("A device of that name exists; the code stays valid"),
          "413": tooLarge,
          "429": error("Over 5 attempts a minute, or locked out after 10 wrong codes", retryAfter),
        },
      },
    },
    [PAIR_DEVICES_PATH]: {
      get: {
        operationId: "listDevices",
        summary: "Paired devices (never their tokens)",
        responses: { "200": json(pairedDevicesResponseSchema, "Devices") },
      },
    },
    [`${PAIR_DEVICES_PATH}/{name}`]: {
      delete: {
        operationId: "revokeDevice",
        summary: "Revoke a paired device",
        parameters: [pathParam("name", "The device name")],
        responses: { "204": { description: "Revoked" }, "404": error("No device of that name") },
      },
    },
    "/api/webhooks/{route}": {
      post: {
        operationId: "deliverWebhook",
        summary: "Deliver a webhook (anonymous; verified by the route's signature or secret)",
        description:
          "The body is taken as raw bytes, verified against `config/webhooks/<route>.json` (the signature, event and delivery headers are the route's), then parsed as JSON. Each accepted delivery runs an unattended session at the route's audience.",
        security: [],
        parameters: [pathParam("route", "The route's name (config/webhooks/<route>.json)")],
        requestBody: {
          required: true,
          content: { "application/json": { schema: {} }, "*/*": { schema: {} } },
        },
        responses: {
          "202": json(webhookDeliveryResponseSchema, "Accepted (a session started) or ignored"),
          "400": error("The body is not valid JSON"),
          "401": error("The signature or secret is not valid"),
          "404": error("Webhooks are off, or no such enabled route"),
          "413": error("The body is larger than the route's MaxBodyBytes"),
          "429": error("Over the route's RateLimitPerMinute", retryAfter),
          "503": error("The daemon could not start a session; retry later"),
        },
      },
    },
  };
}
