import type { ProviderConfig } from "../../config/schema.ts";
import type { ProviderType } from "./answers.ts";

export { DEFAULT_ENDPOINTS } from "../../config/providers/endpoints.ts";

/** Lists a provider's models (the same discovery `netclaw model discover` uses). */
export type Discover = (options: {
  name: string;
  provider: ProviderConfig;
  signal: AbortSignal;
}) => Promise<{ id: string }[]>;

export type Verdict = { ok: true; models: { id: string }[] } | { ok: false; message: string };

/**
 * A live test of the provider settings: lists its models within 10 s. The verdict says what
 * went wrong in the user's terms (rejected key, unreachable endpoint, wrong URL).
 */
export async function testConnection(options: {
  discover: Discover;
  name: string;
  type: ProviderType;
  endpoint?: string;
  apiKey?: string;
}): Promise<Verdict> {
  const provider: ProviderConfig = { Type: options.type, Endpoint: options.endpoint, ApiKey: options.apiKey };
  try {
    const models = await options.discover({
      name: options.name,
      provider,
      signal: AbortSignal.timeout(10_000),
    });
    return { ok: true, models };
  } catch (error) {
    // ModelListError messages already say what failed in the user's terms (rejected key,
    // unreachable endpoint, HTTP status) and how to fix it.
    return { ok: false, message: (error as Error).message };
  }
}
