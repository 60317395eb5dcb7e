import type { JSONSchema7, ModelMessage, SystemModelMessage, ToolSet } from "ai";
import type { ChatMessage, ToolDefinition } from "./model-client.ts";

type AiModule = typeof import("ai");

/**
 * The name a tool has on the wire. Vendors accept only `[A-Za-z0-9_-]` in tool names (OpenAI,
 * Anthropic), so the `/` of an MCP tool (`<server>/<tool>`) is sent as `__`; `toolNameFromWire`
 * maps a vendor's answer back through the request's own tools.
 */
export const toolNameOnWire = (name: string): string => name.replaceAll("/", "__");

/** Our name for a tool name a vendor sent back (unchanged when no tool of the request has it). */
export function toolNameFromWire(options: {
  wire: string;
  tools: readonly ToolDefinition[] | undefined;
}): string {
  return options.tools?.find((tool) => toolNameOnWire(tool.name) === options.wire)?.name ?? options.wire;
}

/**
 * Our transcript → the AI SDK's prompt. AI SDK 7 wants the leading system messages as
 * `instructions`; a later system message (the loop's volatile block) stays in place, which
 * `streamText` accepts with `allowSystemInMessages`.
 */
export function toPrompt(messages: readonly ChatMessage[]): {
  instructions: SystemModelMessage[];
  messages: ModelMessage[];
} {
  const lead = messages.findIndex((message) => message.role !== "system");
  const split = lead < 0 ? messages.length : lead;
  return {
    instructions: messages.slice(0, split).map((message) => ({ role: "system", content: message.content })),
    messages: toModelMessages(messages.slice(split)),
  };
}

/** Tool results are sent as text, errors flagged as such. */
function toModelMessages(messages: readonly ChatMessage[]): ModelMessage[] {
  return messages.map((message): ModelMessage => {
    switch (message.role) {
      case "system":
      case "user":
        return { role: message.role, content: message.content };
      case "assistant": {
        if (message.toolCalls === undefined || message.toolCalls.length === 0) {
          return { role: "assistant", content: message.content };
        }
        return {
          role: "assistant",
          content: [
            ...(message.content === "" ? [] : [{ type: "text" as const, text: message.content }]),
            ...message.toolCalls.map((call) => ({
              type: "tool-call" as const,
              toolCallId: call.id,
              toolName: toolNameOnWire(call.name),
              input: call.arguments,
            })),
          ],
        };
      }
      default:
        return {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: message.toolCallId,
              toolName: toolNameOnWire(message.toolName),
              output: { type: message.isError === true ? "error-text" : "text", value: message.content },
            },
          ],
        };
    }
  });
}

/**
 * Our tool definitions → an SDK tool set *without* `execute`: the SDK reports each call and
 * stops, and our loop runs the tool (approvals, policy, persistence are ours).
 */
export function toToolSet(options: { ai: AiModule; tools: readonly ToolDefinition[] }): ToolSet {
  const set: ToolSet = {};
  for (const definition of options.tools) {
    set[toolNameOnWire(definition.name)] = options.ai.tool({
      description: definition.description,
      inputSchema: options.ai.jsonSchema(definition.parameters as JSONSchema7),
    });
  }
  return set;
}
