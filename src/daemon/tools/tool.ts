import { z } from "zod";
import type { ToolOperations } from "./operations.ts";

/** What a tool gets besides its arguments. */
export type ToolContext = {
  /** Aborted on cancel or timeout; tools stop work and kill what they started. */
  signal: AbortSignal;
  /** Absolute per-session directory: downloads, spilled outputs, attachments. */
  sessionDir: string;
  /** Absolute project directory set by set_working_directory, else the session directory. */
  workingDirectory: string;
  /** Progress text for the UI (not sent to the model). */
  onUpdate: (text: string) => void;
  ops: ToolOperations;
  /** Id of this call: names the spill file `tool-calls/<callId>.txt`. */
  callId: string;
  /** Wall-clock limit for process-running tools (shell); 90 s when absent. */
  timeoutMs?: number;
  /** Why a URL may not be fetched (checked at every redirect hop), for audiences kept off the internal network. */
  blockUrl?: (url: URL) => string | undefined;
  /** Extra read check used while walking directories (file_search), given a real absolute path. */
  canRead?: (realPath: string) => boolean;
};

/** Changes a tool asks the session to make; the loop applies them. */
export type ToolEffects = {
  workingDirectory?: { path: string; instructionsFile?: string; instructions?: string };
  attachment?: { path: string; displayName: string; sizeBytes: number };
};

export type ToolResult = { content: string; isError: boolean; effects?: ToolEffects };

/** A path a call will touch, for the policy's protected-path and file-root checks. */
export type PathAccess = {
  path: string;
  access: "read" | "write" | "attach" | "cwd";
  /** The tool walks the tree under the path (file_search): a protected path inside it refuses the call. */
  walk?: boolean;
};

export type Tool<S extends z.ZodObject = z.ZodObject> = {
  name: string;
  description: string;
  parameters: S;
  /** Paths the validated arguments name, relative ones unresolved (the policy resolves them). */
  paths?: (args: z.infer<S>) => PathAccess[];
  /**
   * A tool of an MCP server (`<server>/<tool>`): its own JSON Schema is what the model sees,
   * `parameters` only accepts any object, and the policy applies the MCP rules
   * (`McpServersMode`, `McpServerToolGrants`, `McpServerDefaults`) instead of the built-in ones.
   */
  mcp?: { server: string; tool: string; inputSchema: Record<string, unknown> };
  execute(args: z.infer<S>, ctx: ToolContext): Promise<ToolResult>;
};

/** Keeps the schema's inferred argument type tied to `execute` and `paths`. */
export function defineTool<S extends z.ZodObject>(tool: Tool<S>): Tool {
  return tool as unknown as Tool;
}

export const ok = (content: string, effects?: ToolEffects): ToolResult =>
  effects ? { content, isError: false, effects } : { content, isError: false };
export const fail = (content: string): ToolResult => ({ content, isError: true });

type Definition = { name: string; description: string; parameters: Record<string, unknown> };

/** Tools are long-lived objects: each one's JSON Schema is built once, not on every model request. */
const definitions = new WeakMap<Tool, Definition>();

/** The tool as the model sees it: our own JSON Schema (draft 2020-12) of the arguments. */
export function toolDefinition(tool: Tool): Definition {
  const known = definitions.get(tool);
  if (known) return known;
  let parameters: Record<string, unknown>;
  if (tool.mcp) parameters = tool.mcp.inputSchema;
  else {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(tool.parameters, { io: "input" }) as Record<
      string,
      unknown
    >;
    parameters = rest;
  }
  const definition = { name: tool.name, description: tool.description, parameters };
  definitions.set(tool, definition);
  return definition;
}

export type ParsedArgs = { ok: true; args: Record<string, unknown> } | { ok: false; result: ToolResult };

/**
 * Validates raw model arguments. Accepts a JSON string or an object, matches keys
 * case-insensitively to the schema's (models write `path` for `Path`), and never throws: a bad
 * argument becomes an error result telling the model what to fix.
 */
export function parseToolArgs(tool: Tool, raw: unknown): ParsedArgs {
  let value: unknown = raw ?? {};
  if (typeof value === "string") {
    try {
      value = value.trim() === "" ? {} : JSON.parse(value);
    } catch {
      return {
        ok: false,
        result: fail(`Invalid arguments for ${tool.name}: not valid JSON. Send a JSON object.`),
      };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, result: fail(`Invalid arguments for ${tool.name}: expected a JSON object.`) };
  }
  const keys = new Map(Object.keys(tool.parameters.shape).map((key) => [key.toLowerCase(), key]));
  const normalised: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) normalised[keys.get(key.toLowerCase()) ?? key] = v;
  const parsed = tool.parameters.safeParse(normalised);
  if (parsed.success) return { ok: true, args: parsed.data as Record<string, unknown> };
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(arguments)"}: ${issue.message}`)
    .join("; ");
  return {
    ok: false,
    result: fail(
      `Invalid arguments for ${tool.name}: ${problems}. Fix the arguments and call the tool again.`,
    ),
  };
}
