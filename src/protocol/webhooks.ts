import { z } from "zod";

/**
 * `POST /api/webhooks/:route` answers 202 either way: `accepted` with the session started for
 * the delivery, or `ignored` (an event the route does not take, a delivery seen before).
 */
export const webhookDeliveryResponseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("accepted"),
    route: z.string(),
    eventType: z.string().nullable(),
    deliveryId: z.string(),
    sessionId: z.string(),
  }),
  z.object({
    status: z.literal("ignored"),
    reason: z.enum(["event_filtered", "duplicate_delivery"]),
    route: z.string(),
    eventType: z.string().nullable(),
    deliveryId: z.string(),
  }),
]);
export type WebhookDeliveryResponse = z.infer<typeof webhookDeliveryResponseSchema>;
