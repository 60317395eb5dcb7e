import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../../config/schema.ts";

/** The SDK loads on the first connect: it costs ~100 ms+ of start-up that a daemon without MCP servers should not pay. */
const loadSdk = async () => {
  const [client, stdio, http, sse, types] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/client/sse.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  return { ...client, ...stdio, ...http, ...sse, ...types };
};
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
let sdkPromise: Promise<Sdk> | undefined;
const sdk = () => {
  sdkPromise ??= loadSdk();
  return sdkPromise;
};

export type McpState = "connecting" | "connected" | "degraded" | "disabled";

/** A tool as the server lists it. */
export type McpToolInfo = { name: string; description: string; inputSchema: Record<string, unknown> };

export type McpCallResult = { content: string; isError: boolean };

export type McpLogger = {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  debug(object: object, message: string): void;
};

/** `${NAME}` in a header value is replaced by that environment variable ("" when unset). */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => env[name] ?? "");
}

/** Transport failures (the server went away, did not answer) — not errors the tool itself reported. */
function isTransportFailure(error: unknown, loaded: Sdk): boolean {
  if (error instanceof loaded.McpError)
    return error.code === loaded.ErrorCode.ConnectionClosed || error.code === loaded.ErrorCode.RequestTimeout;
  return true;
}

function textOf(result: { content?: unknown; structuredContent?: unknown }): string {
  const parts: string[] = [];
  for (const item of Array.isArray(result.content) ? result.content : []) {
    const part = item as { type?: string; text?: string; mimeType?: string; resource?: { uri?: string } };
    if (part.type === "text" && typeof part.text === "string") parts.push(part.text);
    else if (part.type === "resource") parts.push(`[resource ${part.resource?.uri ?? ""}]`);
    else parts.push(`[${part.type ?? "unknown"} content${part.mimeType ? ` ${part.mimeType}` : ""}]`);
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent));
  return parts.join("\n");
}

/**
 * One configured MCP server: connects through the official SDK client (stdio or streamable
 * HTTP), caches its tool list, and calls tools. A transport failure marks the server degraded
 * and closes the client; the next call reconnects once before it runs (the failed call is never
 * replayed). Never throws from `call`: failures come back as error results naming the server.
 */
export function createMcpConnection(options: {
  name: string;
  config: McpServerConfig;
  env: NodeJS.ProcessEnv;
  logger: McpLogger;
  /** Budget of connect + list, and of one call when the caller gives none. */
  timeoutMs: number;
  clientVersion: string;
}) {
  const { name, config, logger } = options;
  let state: McpState = config.Enabled ? "connecting" : "disabled";
  let error: string | undefined;
  let client: Client | undefined;
  let tools: McpToolInfo[] = [];
  let connecting: Promise<void> | undefined;

  const makeTransport = (loaded: Sdk): Transport => {
    if (config.Transport === "stdio") {
      if (!config.Command) throw new Error(`McpServers.${name}.Command is not set`);
      const transport = new loaded.StdioClientTransport({
        command: config.Command,
        args: config.Arguments,
        env: { ...loaded.getDefaultEnvironment(), ...config.EnvironmentVariables },
        stderr: "pipe",
      });
      transport.stderr?.on("data", (chunk: Buffer) =>
        logger.debug({ server: name, stderr: chunk.toString("utf8").slice(0, 2000) }, "MCP server stderr"),
      );
      return transport;
    }
    if (!config.Url) throw new Error(`McpServers.${name}.Url is not set`);
    const headers = Object.fromEntries(
      Object.entries(config.Headers).map(([key, value]) => [key, expandEnv(value, options.env)]),
    );
    // `sse` is the older HTTP+SSE transport some servers still speak; `http` is streamable HTTP.
    if (config.Transport === "sse")
      return new loaded.SSEClientTransport(new URL(config.Url), { requestInit: { headers } });
    return new loaded.StreamableHTTPClientTransport(new URL(config.Url), { requestInit: { headers } });
  };

  const markDegraded = (reason: string) => {
    state = "degraded";
    error = reason;
    const old = client;
    client = undefined;
    void old?.close().catch(() => {});
  };

  async function connect(): Promise<void> {
    const loaded = await sdk();
    const next = new loaded.Client({ name: "netclaw", version: options.clientVersion });
    next.onclose = () => {
      if (client === next) markDegraded("the connection closed");
    };
    const timeout = { timeout: options.timeoutMs };
    try {
      await next.connect(makeTransport(loaded), timeout);
      const listed = await next.listTools(undefined, timeout);
      tools = listed.tools.map((tool) => ({
        name: tool.name,
        description: (tool.description ?? "").slice(0, 1000),
        inputSchema: tool.inputSchema as Record<string, unknown>,
      }));
    } catch (failure) {
      void next.close().catch(() => {});
      throw failure;
    }
    client = next;
    state = "connected";
    error = undefined;
    logger.info({ server: name, tools: tools.length }, "MCP server connected");
  }

  /** Connects unless connected (or a connect is under way); records a failure as degraded. */
  async function ensureConnected(): Promise<boolean> {
    if (state === "disabled") return false;
    if (client) return true;
    connecting ??= connect()
      .catch((failure: unknown) => {
        markDegraded((failure as Error).message);
        logger.warn({ server: name, err: error }, "MCP server unavailable");
      })
      .finally(() => {
        connecting = undefined;
      });
    await connecting;
    return client !== undefined;
  }

  const unavailable = (): McpCallResult => ({
    content: `MCP server '${name}' is unavailable (${error ?? "not connected"}). The call was not run; netclaw reconnects on the next call.`,
    isError: true,
  });

  return {
    name,
    get state(): McpState {
      return state;
    },
    get error(): string | undefined {
      return error;
    },
    /** The tools of the last successful listing (kept while degraded, so the model still sees them). */
    get tools(): readonly McpToolInfo[] {
      return tools;
    },
    connect: ensureConnected,

    /**
     * Calls one tool. `timeoutMs` (the runner's wall-clock limit for opaque tools) ends a call the
     * server does not answer in time; the connection's own timeout applies when absent.
     */
    async call(request: {
      tool: string;
      args: unknown;
      signal: AbortSignal;
      timeoutMs?: number;
    }): Promise<McpCallResult> {
      if (!(await ensureConnected())) return unavailable();
      const current = client!;
      const timeoutMs = request.timeoutMs ?? options.timeoutMs;
      try {
        const result = await current.callTool(
          { name: request.tool, arguments: (request.args ?? {}) as Record<string, unknown> },
          undefined,
          { signal: request.signal, timeout: timeoutMs },
        );
        const shaped = result as { content?: unknown; structuredContent?: unknown; isError?: unknown };
        return { content: textOf(shaped), isError: shaped.isError === true };
      } catch (failure) {
        if (request.signal.aborted)
          return { content: "Tool call cancelled before it finished.", isError: true };
        const message = (failure as Error).message;
        const loaded = await sdk();
        if (failure instanceof loaded.McpError && failure.code === loaded.ErrorCode.RequestTimeout)
          return {
            content: `MCP server '${name}' did not answer ${request.tool} within ${Math.round(timeoutMs / 1000)} s; the call was abandoned (pass a larger _timeout_seconds if it needs longer).`,
            isError: true,
          };
        if (!isTransportFailure(failure, loaded))
          return { content: `MCP server '${name}': ${message}`, isError: true };
        if (client === current) markDegraded(message);
        logger.warn(
          { server: name, tool: request.tool, err: message },
          "MCP call failed; the server is degraded",
        );
        return {
          content: `MCP server '${name}' failed during the call (${message}). The call may not have completed; netclaw reconnects on the next call.`,
          isError: true,
        };
      }
    },

    async close(): Promise<void> {
      const old = client;
      client = undefined;
      await old?.close().catch(() => {});
    },
  };
}

export type McpConnection = ReturnType<typeof createMcpConnection>;
