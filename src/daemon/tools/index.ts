import { attachFileTool } from "./attach-file.ts";
import { fileEditTool } from "./file-edit.ts";
import { fileListTool } from "./file-list.ts";
import { fileReadTool } from "./file-read.ts";
import { fileSearchTool } from "./file-search.ts";
import { fileWriteTool } from "./file-write.ts";
import { setWorkingDirectoryTool } from "./set-working-directory.ts";
import { createShellExecuteTool } from "./shell-execute.ts";
import type { Tool } from "./tool.ts";
import { toolOutputReadTool } from "./tool-output-read.ts";
import { createWebFetchTool, type WebFetchOptions } from "./web-fetch.ts";

export type { Tool, ToolContext, ToolEffects, ToolResult } from "./tool.ts";

/**
 * The built-in tool set, keyed by name. A fresh map per call (no global registry); the policy
 * decides which of them a given audience sees.
 */
export function createBuiltinTools(
  options: { shellEnv?: NodeJS.ProcessEnv; killGraceMs?: number; webFetch?: WebFetchOptions } = {},
): Map<string, Tool> {
  const tools: Tool[] = [
    createShellExecuteTool({ env: options.shellEnv, killGraceMs: options.killGraceMs }),
    fileReadTool,
    fileListTool,
    fileSearchTool,
    fileWriteTool,
    fileEditTool,
    createWebFetchTool(options.webFetch),
    attachFileTool,
    setWorkingDirectoryTool,
    toolOutputReadTool,
  ];
  return new Map(tools.map((tool) => [tool.name, tool]));
}
