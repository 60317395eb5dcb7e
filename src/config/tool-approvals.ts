import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.ts";

/** Personal | Team | Public (the same names as `Security.DeploymentPosture`). */
type Audience = "Personal" | "Team" | "Public";

/**
 * Persistent tool grants (shared by the daemon's policy and `netclaw approvals`, which works
 * on the file without the daemon), `config/tool-approvals.json` (version 3): audience → tool → entries.
 * A grant names a verb (`git push`, `file_write:control-plane`) and a scope: a folder, the git
 * repository around a folder, or anywhere. Fail-closed: a file written by a newer netclaw or one
 * that cannot be read or parsed makes the store *unavailable* — nothing matches and nothing is
 * written over it — instead of being treated as empty.
 */
export const GRANTS_VERSION = 3;

export type GrantScope = "folder" | "repository" | "anywhere";
export type Grant = {
  audience: Audience;
  tool: string;
  verb: string;
  scope: GrantScope;
  directory?: string;
  createdAt: string;
};

const entrySchema = z.object({
  verb: z.string().min(1),
  scope: z.enum(["folder", "repository", "anywhere"]),
  directory: z.string().min(1).optional(),
  createdAt: z.string(),
});
const audienceSchema = z.record(z.string(), z.array(entrySchema));
const fileSchema = z.object({
  version: z.number().int(),
  grants: z.object({
    Personal: audienceSchema.optional(),
    Team: audienceSchema.optional(),
    Public: audienceSchema.optional(),
  }),
});

export class GrantStoreUnavailableError extends Error {
  readonly code = "approval_store_unavailable";
}

export type GrantQuery = {
  audience: Audience;
  tool: string;
  verb: string;
  directory: string;
  repository?: string;
};

export function createGrantStore(options: { path: string; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  let cache: { key: string; state: LoadState } | undefined;

  type LoadState = { ok: true; grants: Grant[] } | { ok: false; reason: string };

  function load(): LoadState {
    let key: string;
    try {
      const info = statSync(options.path);
      key = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, grants: [] };
      return { ok: false, reason: `cannot read ${options.path}: ${(error as Error).message}` };
    }
    if (cache?.key === key) return cache.state;
    const state = parse();
    cache = { key, state };
    return state;
  }

  function parse(): LoadState {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(options.path, "utf8"));
    } catch (error) {
      return { ok: false, reason: `cannot read ${options.path}: ${(error as Error).message}` };
    }
    const version = (raw as { version?: unknown })?.version;
    if (typeof version === "number" && version > GRANTS_VERSION) {
      return {
        ok: false,
        reason: `${options.path} has version ${version}, newer than this netclaw understands (${GRANTS_VERSION})`,
      };
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success || parsed.data.version !== GRANTS_VERSION) {
      return { ok: false, reason: `${options.path} is not a version ${GRANTS_VERSION} grants file` };
    }
    const grants: Grant[] = [];
    for (const audience of ["Personal", "Team", "Public"] as const) {
      for (const [tool, entries] of Object.entries(parsed.data.grants[audience] ?? {})) {
        for (const entry of entries) grants.push({ audience, tool, ...entry });
      }
    }
    return { ok: true, grants };
  }

  function save(grants: Grant[]): void {
    const file: { version: number; grants: Record<string, Record<string, unknown[]>> } = {
      version: GRANTS_VERSION,
      grants: {},
    };
    for (const { audience, tool, ...entry } of grants) {
      const byTool = file.grants[audience] ?? {};
      file.grants[audience] = byTool;
      byTool[tool] = [...(byTool[tool] ?? []), entry];
    }
    mkdirSync(dirname(options.path), { recursive: true });
    writeJsonAtomic(options.path, file, { mode: 0o600, forceMode: true });
  }

  function requireGrants(): Grant[] {
    const state = load();
    if (!state.ok) throw new GrantStoreUnavailableError(state.reason);
    return state.grants;
  }

  return {
    path: options.path,
    /** Whether the store can be read; `reason` says why not. */
    status(): { ok: true } | { ok: false; reason: string } {
      const state = load();
      return state.ok ? { ok: true } : state;
    },
    /** True when a grant covers the query; "unavailable" when the store cannot be trusted. */
    covers(query: GrantQuery): boolean | "unavailable" {
      const state = load();
      if (!state.ok) return "unavailable";
      return state.grants.some(
        (g) =>
          g.audience === query.audience &&
          g.tool === query.tool &&
          g.verb === query.verb &&
          (g.scope === "anywhere" ||
            (g.scope === "folder" && g.directory === query.directory) ||
            (g.scope === "repository" && query.repository !== undefined && g.directory === query.repository)),
      );
    },
    /** All grants. Throws GrantStoreUnavailableError when the file cannot be trusted. */
    list(): Grant[] {
      return requireGrants().map((g) => ({ ...g }));
    },
    /** Adds a grant (no duplicate). Throws GrantStoreUnavailableError rather than overwrite a file it cannot read. */
    add(grant: Omit<Grant, "createdAt">): Grant {
      const grants = requireGrants();
      const existing = grants.find(
        (g) =>
          g.audience === grant.audience &&
          g.tool === grant.tool &&
          g.verb === grant.verb &&
          g.scope === grant.scope &&
          g.directory === grant.directory,
      );
      if (existing) return existing;
      const added: Grant = { ...grant, createdAt: now().toISOString() };
      save([...grants, added]);
      return added;
    },
    /** Removes the grants `match` selects; returns how many. */
    revoke(match: (grant: Grant) => boolean): number {
      const grants = requireGrants();
      const kept = grants.filter((g) => !match(g));
      if (kept.length !== grants.length) save(kept);
      return grants.length - kept.length;
    },
  };
}

export type GrantStore = ReturnType<typeof createGrantStore>;

/** The nearest enclosing directory with a `.git` entry (the repository scope), if any. */
export function findRepositoryRoot(directory: string): string | undefined {
  let current = directory;
  for (let i = 0; i < 128; i++) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}
