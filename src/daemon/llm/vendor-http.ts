import { z } from "zod";
import type { ProviderConfig } from "../../config/schema.ts";

// The few vendor calls made outside the AI SDK (model lists, Ollama's /api/show). Schemas check
// only the fields read, tolerantly, so a vendor adding fields breaks nothing.

export const ollamaShowSchema = z.object({ model_info: z.record(z.string(), z.unknown()) });

export const ollamaTagsSchema = z.object({ models: z.array(z.looseObject({ name: z.string() })) });

const positive = z.number().int().positive();

export const modelListSchema = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      context_length: positive.nullish(),
      context_window: positive.nullish(),
      max_model_len: positive.nullish(),
      top_provider: z.object({ context_length: positive.nullish() }).nullish(),
    }),
  ),
  has_more: z.boolean().optional(),
  last_id: z.string().nullish(),
});

export type ListedEntry = z.infer<typeof modelListSchema>["data"][number];

/** The context window an OpenAI-style list entry reports (OpenRouter, vLLM, LM Studio…), if any. */
export function entryContextWindow(entry: ListedEntry): number | undefined {
  return (
    entry.context_length ??
    entry.top_provider?.context_length ??
    entry.max_model_len ??
    entry.context_window ??
    undefined
  );
}

export class VendorHttpError extends Error {
  override name = "VendorHttpError";
  readonly status: number;
  constructor(url: string, status: number) {
    super(`${url} answered HTTP ${status}`);
    this.status = status;
  }
}

/** GETs or POSTs JSON; a non-2xx status throws `VendorHttpError`. */
export async function getJson(options: {
  url: string;
  fetch: typeof fetch;
  init: RequestInit;
}): Promise<unknown> {
  const response = await options.fetch(options.url, options.init);
  if (!response.ok) {
    await response.body?.cancel();
    throw new VendorHttpError(options.url, response.status);
  }
  return response.json();
}

export const bearer = (provider: ProviderConfig): Record<string, string> =>
  provider.ApiKey === undefined ? {} : { authorization: `Bearer ${provider.ApiKey}` };
