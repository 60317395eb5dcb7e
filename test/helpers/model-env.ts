import type { FakeUpstream, RecordedRequest } from "../fakes/llm-upstream.ts";
import { cleanEnv } from "./processes.ts";

/** Environment for a daemon whose Main model is the fake upstream's OpenAI-compatible endpoint. */
export function fakeModelEnv(options: {
  home: string;
  upstream: FakeUpstream;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  return cleanEnv({
    NETCLAW_HOME: options.home,
    NETCLAW_Providers__fake__Type: "openai-compatible",
    NETCLAW_Providers__fake__Endpoint: options.upstream.openaiBaseUrl,
    NETCLAW_Models__Main__Provider: "fake",
    NETCLAW_Models__Main__ModelId: "fake-model",
    ...options.extra,
  });
}

/**
 * Which call this is: the session title, a compaction summary, the memory proposals after a turn,
 * or a turn of the Main loop.
 */
export function callKind(request: RecordedRequest): "title" | "summary" | "memory" | "turn" {
  if (request.rawBody.includes("You name conversations")) return "title";
  if (request.rawBody.includes("You compress the early part")) return "summary";
  if (request.rawBody.includes("You extract long-term memories")) return "memory";
  return "turn";
}
