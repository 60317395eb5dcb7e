import { z } from "zod";
import type { MemoryStore } from "./memory-store.ts";
import { type Audience, LIMITS, MemoryError, type MemoryItem, type MemoryScope } from "./memory-types.ts";

/**
 * The tool contract of `src/daemon/tools/tool.ts` (branch `tools`), restated structurally so this
 * module does not depend on it: a memory tool is assignable to `Tool` there.
 */
export type MemoryToolResult = { content: string; isError: boolean };
export type MemoryTool<S extends z.ZodObject = z.ZodObject> = {
  name: string;
  description: string;
  parameters: S;
  execute(args: z.infer<S>, ctx: { signal: AbortSignal }): Promise<MemoryToolResult>;
};

function defineTool<S extends z.ZodObject>(tool: MemoryTool<S>): MemoryTool {
  return tool as unknown as MemoryTool;
}

const ok = (content: string): MemoryToolResult => ({ content, isError: false });
const fail = (content: string): MemoryToolResult => ({ content, isError: true });

/** Who is asking: the session's audience and the ids of its hard scopes. */
export type MemorySessionContext = {
  audience: Audience;
  scopes: { user?: string; project?: string; channel?: string };
};

function sessionScopes(ctx: MemorySessionContext): MemoryScope[] {
  const out: MemoryScope[] = [];
  for (const kind of ["user", "project", "channel"] as const) {
    const id = ctx.scopes[kind];
    if (id) out.push(`${kind}:${id}`);
  }
  return out;
}

async function guarded(run: () => MemoryToolResult): Promise<MemoryToolResult> {
  try {
    return run();
  } catch (error) {
    if (error instanceof MemoryError) return fail(error.message);
    return fail(`Memory is unavailable right now (${(error as Error).message}). Continue without it.`);
  }
}

function describeItem(item: MemoryItem): string {
  const tags = item.tags.length > 0 ? ` tags: ${item.tags.join(", ")}` : "";
  return `[${item.id}] ${item.title} (${item.scope}, ${item.audience}, updated ${item.updatedAt})${tags}\n${item.content}`;
}

const tags = z.array(z.string().min(1).max(LIMITS.tag)).max(LIMITS.tags);

/**
 * `store_memory`, `find_memories`, `get_memories`, `update_memory` bound to one session. A Public
 * session gets no memory tools at all (reference/security.md §4: memory hard-disabled).
 */
export function createMemoryTools(options: {
  memory: MemoryStore;
  session: MemorySessionContext;
}): MemoryTool[] {
  const { memory, session } = options;
  if (session.audience === "Public") return [];
  const audience = session.audience;
  const scopes = sessionScopes(session);

  const storeMemory = defineTool({
    name: "store_memory",
    description:
      "Remember a durable fact for later sessions (preferences, decisions, where things are). One fact per call, with a short title.",
    parameters: z.object({
      Title: z.string().min(1).max(LIMITS.title).describe("Short title naming the fact."),
      Content: z.string().min(1).max(LIMITS.content).describe("The fact, self-contained."),
      Tags: tags.optional().describe("A few keywords."),
      Scope: z
        .enum(["user", "project", "channel"])
        .optional()
        .describe("Who the fact belongs to: the user (default), the current project or this channel."),
      Audience: z
        .enum(["Personal", "Team"])
        .optional()
        .describe("Who may recall it; defaults to this session's audience and can only be lowered."),
    }),
    execute: (args) =>
      guarded(() => {
        const kind =
          args.Scope ?? (session.scopes.user ? "user" : session.scopes.project ? "project" : "channel");
        const id = session.scopes[kind];
        if (!id)
          return fail(`This session has no ${kind} scope; use one of: ${scopes.join(", ") || "(none)"}.`);
        const item = memory.store({
          title: args.Title,
          content: args.Content,
          tags: args.Tags ?? [],
          scope: `${kind}:${id}`,
          audience: args.Audience ?? audience,
          caller: audience,
        });
        return ok(`Stored memory ${item.id} (${item.scope}, ${item.audience}).`);
      }),
  });

  const findMemories = defineTool({
    name: "find_memories",
    description:
      "Search long-term memory by keywords. Returns ids, titles and snippets; read full items with get_memories.",
    parameters: z.object({
      Query: z.string().min(1).max(1000).describe("Keywords or a question."),
      Limit: z.number().int().min(1).max(20).optional().describe("Maximum results (default 5)."),
    }),
    execute: (args) =>
      guarded(() => {
        const hits = memory.find({ query: args.Query, audience, limit: args.Limit ?? 5, scope: scopes });
        if (hits.length === 0) return ok("No memories match.");
        return ok(hits.map((h) => `[${h.id}] ${h.title} (${h.scope}): ${h.snippet}`).join("\n"));
      }),
  });

  const getMemories = defineTool({
    name: "get_memories",
    description: "Read memories in full by id (ids come from find_memories or the recalled block).",
    parameters: z.object({ Ids: z.array(z.string().min(1).max(100)).min(1).max(20) }),
    execute: (args) =>
      guarded(() => {
        const items = memory.get({ ids: args.Ids, audience }).filter((i) => scopes.includes(i.scope));
        const missing = args.Ids.filter((id) => !items.some((i) => i.id === id));
        const parts = items.map(describeItem);
        if (missing.length > 0) parts.push(`Not found here: ${missing.join(", ")}.`);
        return items.length === 0 ? fail(parts.join("\n")) : ok(parts.join("\n\n"));
      }),
  });

  const updateMemory = defineTool({
    name: "update_memory",
    description: "Correct or extend a memory by id: give the new title, content or tags (the rest is kept).",
    parameters: z.object({
      Id: z.string().min(1).max(100),
      Title: z.string().min(1).max(LIMITS.title).optional(),
      Content: z.string().min(1).max(LIMITS.content).optional(),
      Tags: tags.optional(),
    }),
    execute: (args) =>
      guarded(() => {
        if (args.Title === undefined && args.Content === undefined && args.Tags === undefined) {
          return fail("Nothing to change: give Title, Content or Tags.");
        }
        const visible = memory.get({ ids: [args.Id], audience }).filter((i) => scopes.includes(i.scope));
        if (visible.length === 0) return fail(`No memory with id '${args.Id}' is visible here.`);
        const patch = {
          ...(args.Title === undefined ? {} : { title: args.Title }),
          ...(args.Content === undefined ? {} : { content: args.Content }),
          ...(args.Tags === undefined ? {} : { tags: args.Tags }),
        };
        const item = memory.update({ id: args.Id, audience, patch });
        return ok(`Updated memory ${item.id}.`);
      }),
  });

  return [storeMemory, findMemories, getMemories, updateMemory];
}
