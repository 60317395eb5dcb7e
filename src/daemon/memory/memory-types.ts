import { z } from "zod";
import { NetclawError } from "../../protocol/errors.ts";

/** The audiences of reference/security.md §4; Public has no memory at all. */
export type Audience = "Personal" | "Team" | "Public";
/** Audiences an item can be stored for. */
export type MemoryAudience = Exclude<Audience, "Public">;

/** The hard scope of an item: `user:<id>`, `project:<id>` or `channel:<id>`. */
export type MemoryScope = `${"user" | "project" | "channel"}:${string}`;

export const memoryScopeSchema = z
  .string()
  .regex(/^(user|project|channel):\S{1,200}$/, "must be user:<id>, project:<id> or channel:<id>")
  .transform((s) => s as MemoryScope);

export const LIMITS = { title: 200, content: 8000, tags: 20, tag: 50 } as const;

/** A new item, validated at the edge (tools, proposals). */
export const memoryInputSchema = z.object({
  title: z.string().trim().min(1).max(LIMITS.title),
  content: z.string().trim().min(1).max(LIMITS.content),
  tags: z.array(z.string().trim().min(1).max(LIMITS.tag)).max(LIMITS.tags).default([]),
  scope: memoryScopeSchema,
  audience: z.enum(["Personal", "Team"]),
});

export type MemoryInput = z.input<typeof memoryInputSchema>;

export type MemoryItem = {
  id: string;
  title: string;
  content: string;
  tags: string[];
  scope: MemoryScope;
  audience: MemoryAudience;
  createdAt: string;
  updatedAt: string;
};

/** A search result: the item without its full content, a snippet instead, and its bm25 score. */
export type MemoryHit = Omit<MemoryItem, "content"> & { snippet: string; score: number };

/**
 * Codes: `memory_public_audience` (Public has no memory), `memory_invalid` (bad input),
 * `memory_not_found` (unknown id or not visible to the caller's audience).
 */
export class MemoryError extends NetclawError {}

/**
 * The item audiences a caller may read: Personal sees Personal and Team items, Team only Team
 * items, Public nothing. Isolation is enforced in SQL with this list.
 */
export function visibleAudiences(audience: Audience): MemoryAudience[] {
  if (audience === "Personal") return ["Personal", "Team"];
  if (audience === "Team") return ["Team"];
  return [];
}

/** Whether a caller of `caller` audience may write an item for `target` (never higher than its own). */
export function mayWriteFor(caller: Audience, target: MemoryAudience): boolean {
  return visibleAudiences(caller).includes(target);
}
