// Public surface of the webhooks module, for daemon/main.ts.
export { createDeliveryDedup, type DeliveryDedup } from "./delivery-dedup.ts";
export { createRouteRegistry, type RouteRegistry } from "./route-registry.ts";
export { webhookSessionAudience } from "./session-audience.ts";
export { signBody, verifyDelivery } from "./verify-signature.ts";
export {
  createWebhookRoutes,
  type SessionStarter,
  type WebhookRoutesOptions,
  type WebhookSessionRequest,
} from "./webhook-routes.ts";
