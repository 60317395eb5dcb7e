import { resolve } from "node:path";
import { createGrantStore, type Grant, GrantStoreUnavailableError } from "../../config/tool-approvals.ts";
import type { CliContext } from "../context.ts";
import { print, printError, UsageError } from "../output.ts";

const AUDIENCES = ["Personal", "Team", "Public"] as const;
type Audience = (typeof AUDIENCES)[number];

/** Interpreters that run code handed to them: trusting them would trust any code (`bash -c …`). */
const INTERPRETERS = new Set([
  "bash",
  "sh",
  "zsh",
  "dash",
  "python",
  "python3",
  "node",
  "perl",
  "ruby",
  "eval",
]);

const where = (grant: Grant): string =>
  grant.scope === "anywhere"
    ? "anywhere"
    : `in ${grant.directory}${grant.scope === "repository" ? " (repository)" : ""}`;

function audienceOption(value: string | undefined): Audience | undefined {
  if (value === undefined) return undefined;
  const found = AUDIENCES.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new UsageError(`--audience must be Personal, Team or Public (got '${value}').`);
  return found;
}

/** Runs `fn` on the grants file; an unreadable or newer file is reported, never overwritten. */
function withStore(context: CliContext, fn: (store: ReturnType<typeof createGrantStore>) => number): number {
  const store = createGrantStore({ path: context.paths.approvalsFile });
  try {
    return fn(store);
  } catch (error) {
    if (!(error instanceof GrantStoreUnavailableError)) throw error;
    printError(`Cannot use ${context.paths.approvalsFile}: ${error.message}`);
    printError("Fix or remove the file (netclaw doctor shows why); until then every grant is ignored.");
    return 1;
  }
}

/** `netclaw approvals list [--json]`. */
export async function approvalsList(context: CliContext, options: { json?: boolean }): Promise<number> {
  return withStore(context, (store) => {
    const grants = store.list();
    if (options.json) {
      print(JSON.stringify({ grants }, null, 2));
      return 0;
    }
    if (grants.length === 0) {
      print(`No tool grants in ${context.paths.approvalsFile}.`);
      return 0;
    }
    for (const g of grants) print(`${g.audience}  ${g.tool}  ${g.verb} ${where(g)}  (since ${g.createdAt})`);
    return 0;
  });
}

/** Parses `"<verb> in <dir>"` or `"<verb> anywhere"`. */
function parseGrantSpec(spec: string): { verb: string; directory?: string } {
  const text = spec.trim();
  if (/\sanywhere$/.test(text)) return { verb: text.replace(/\s+anywhere$/, "").trim() };
  const at = text.lastIndexOf(" in ");
  if (at > 0) return { verb: text.slice(0, at).trim(), directory: resolve(text.slice(at + 4).trim()) };
  throw new UsageError(`Name the grant as "<verb> in <dir>" or "<verb> anywhere" (got '${spec}').`);
}

/** `netclaw approvals revoke "<verb> in <dir>" | "<verb> anywhere" [--audience A] [--json]`. */
export async function approvalsRevoke(
  context: CliContext,
  options: { grant: string; audience?: string; json?: boolean },
): Promise<number> {
  const spec = parseGrantSpec(options.grant);
  const audience = audienceOption(options.audience);
  return withStore(context, (store) => {
    const removed = store.revoke(
      (g) =>
        g.verb === spec.verb &&
        (audience === undefined || g.audience === audience) &&
        (spec.directory === undefined ? g.scope === "anywhere" : g.directory === spec.directory),
    );
    if (options.json) print(JSON.stringify({ revoked: removed }));
    if (removed === 0) {
      if (!options.json) printError(`No grant matches '${options.grant}'. See 'netclaw approvals list'.`);
      return 1;
    }
    if (!options.json) print(`Revoked ${removed} grant${removed === 1 ? "" : "s"}: ${options.grant}.`);
    return 0;
  });
}

/** `netclaw approvals trust-verb <verb> [--dir <dir>] [--audience A] [--json]`: a shell_execute grant. */
export async function approvalsTrustVerb(
  context: CliContext,
  options: { verb: string; dir?: string; audience: string; json?: boolean },
): Promise<number> {
  const verb = options.verb.trim().replace(/\s+/g, " ");
  if (verb === "" || /[;&|`$<>()]/.test(verb))
    throw new UsageError(
      `'${options.verb}' is not a verb: give the command's leading words, like 'git status'.`,
    );
  if (INTERPRETERS.has(verb.split(" ")[0]!))
    throw new UsageError(
      `'${verb}' runs any code it is handed; it can only be approved once, per call, in a chat.`,
    );
  const audience = audienceOption(options.audience) ?? "Personal";
  return withStore(context, (store) => {
    const grant = store.add({
      audience,
      tool: "shell_execute",
      verb,
      ...(options.dir
        ? { scope: "folder" as const, directory: resolve(options.dir) }
        : { scope: "anywhere" as const }),
    });
    if (options.json) print(JSON.stringify({ grant }));
    else print(`Trusted '${verb}' ${where(grant)} for ${audience} chats (shell_execute).`);
    return 0;
  });
}
