import type { FakeUpstream } from "../fakes/llm-upstream.ts";
import { cleanEnv, type RunningDaemon, startDaemon } from "./processes.ts";

/** The environment that points a daemon's Main model at a fake OpenRouter (the seed's shape). */
export function fakeOpenRouterEnv(upstream: FakeUpstream): Record<string, string> {
  return {
    NETCLAW_Providers__openrouter__Type: "openrouter",
    NETCLAW_Providers__openrouter__ApiKey: "sk-or-v1-test",
    NETCLAW_Providers__openrouter__Endpoint: upstream.url,
    NETCLAW_Models__Main__Provider: "openrouter",
    NETCLAW_Models__Main__ModelId: "fake-model",
  };
}

/** A real netclawd in `home`, with a model on the fake upstream when one is given. */
export async function startChatDaemon(options: {
  home: string;
  upstream?: FakeUpstream;
  port?: number;
  extra?: Record<string, string>;
}): Promise<{ daemon: RunningDaemon; cliEnv: NodeJS.ProcessEnv; daemonEnv: NodeJS.ProcessEnv }> {
  const daemonEnv = cleanEnv({
    NETCLAW_HOME: options.home,
    ...(options.upstream ? fakeOpenRouterEnv(options.upstream) : {}),
    ...options.extra,
  });
  const daemon = await startDaemon({ env: daemonEnv, port: options.port });
  const cliEnv = cleanEnv({ NETCLAW_HOME: options.home, NETCLAW_DAEMON_ENDPOINT: daemon.url });
  return { daemon, cliEnv, daemonEnv };
}

/** Whether a chat-completions request body already holds a tool result (the turn's second call). */
export function hasToolResult(body: unknown): boolean {
  const messages = (body as { messages?: { role?: string }[] } | undefined)?.messages ?? [];
  return messages.some((message) => message.role === "tool");
}
