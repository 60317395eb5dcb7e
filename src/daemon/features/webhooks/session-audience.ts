import type { RouteRegistry } from "./route-registry.ts";
import type { WebhookAudience } from "./webhook-routes.ts";

/**
 * The audience of a webhook delivery's session (`webhook/<route>/<delivery id>` on the `webhook`
 * channel): its route's `Audience`, read when each turn starts, so lowering it applies at once;
 * Public, the least, when the route is gone or disabled. Undefined for any other session.
 */
export function webhookSessionAudience(
  session: { channel: string; name: string | null },
  routes: Pick<RouteRegistry, "get">,
): WebhookAudience | undefined {
  if (session.channel !== "webhook") return undefined;
  const match = session.name === null ? null : /^webhook\/([^/]+)\//.exec(session.name);
  if (!match) return "Public";
  return routes.get(match[1]!)?.Audience ?? "Public";
}
