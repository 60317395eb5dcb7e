import { readFileSync } from "node:fs";
import { ConfigError } from "../../config/errors.ts";
import { notSupportedYet } from "../../config/unsupported-keys.ts";
import {
  deleteRouteFile,
  listRouteNames,
  ROUTE_NAME,
  readRouteFile,
  routeFilePath,
  type WebhookRoute,
  type WebhookRouteInput,
  writeRouteFile,
} from "../../config/webhook-routes.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";
import { settings } from "./config.ts";

export type WebhookSetOptions = {
  prompt?: string;
  promptFile?: string;
  audience?: string;
  events?: string;
  kind?: string;
  secretFile?: string;
  secretEnv?: string;
  maxBodyBytes?: string;
  rateLimit?: string;
  notifyInstructions?: string;
  enable?: boolean;
  disable?: boolean;
};

function checkName(name: string): void {
  if (!ROUTE_NAME.test(name)) {
    throw new ConfigError("webhook_route_name_invalid", `Invalid webhook route name '${name}'.`, {
      remediation: "Use 1-64 letters, digits, '-' or '_', starting with a letter or digit.",
    });
  }
}

/** The route without its secret: what `show` and `list --json` print. */
function redacted(route: WebhookRoute) {
  const { Secret: _secret, ...verification } = route.Verification;
  return { ...route, Verification: { ...verification, Secret: "(set, not shown)" } };
}

function readSecret(context: CliContext, options: WebhookSetOptions): string | undefined {
  if (options.secretFile && options.secretEnv) {
    throw new ConfigError("webhook_secret_ambiguous", "Both --secret-file and --secret-env were given.", {
      remediation: "Give only one of them.",
    });
  }
  if (options.secretEnv) {
    const value = context.env[options.secretEnv]?.trim();
    if (!value) {
      throw new ConfigError(
        "webhook_secret_missing",
        `The environment variable ${options.secretEnv} is empty or not set.`,
        {
          remediation: `export ${options.secretEnv}=<secret> first (at least 16 characters).`,
        },
      );
    }
    return value;
  }
  if (options.secretFile) {
    let text: string;
    try {
      text = readFileSync(options.secretFile, "utf8");
    } catch (error) {
      throw new ConfigError(
        "webhook_secret_unreadable",
        `Cannot read the secret file ${options.secretFile}.`,
        {
          remediation: "Check the path and that this user can read it.",
          cause: error,
        },
      );
    }
    const value = text.trim();
    if (!value) {
      throw new ConfigError("webhook_secret_missing", `The secret file ${options.secretFile} is empty.`, {
        remediation: "Write the shared secret (at least 16 characters) into the file.",
      });
    }
    return value;
  }
  return undefined;
}

function readPromptFile(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new ConfigError("webhook_prompt_unreadable", `Cannot read the prompt file ${path}.`, {
      remediation: "Check the path and that this user can read it.",
      cause: error,
    });
  }
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new ConfigError("webhook_option_invalid", `${flag} must be a whole number, got '${value}'.`, {
      remediation: `Pass ${flag} <number>.`,
    });
  }
  return n;
}

/** `webhooks list [--json]`: every route file with its state; secrets never shown. */
export function webhooksList(context: CliContext, options: { json?: boolean }): number {
  const dir = context.paths.webhooksDir;
  const rows = listRouteNames(dir).map((name) => {
    const result = readRouteFile(dir, name);
    if (!result.ok) return { name, valid: false, enabled: false, problem: result.error };
    const r = result.route;
    return {
      name,
      valid: true,
      enabled: r.Enabled,
      verification: r.Verification.Kind,
      audience: r.Audience,
      events: r.Events,
      path: `/api/webhooks/${name}`,
    };
  });
  if (options.json) print(JSON.stringify(rows));
  else if (rows.length === 0)
    print(`No webhook routes. Add one: netclaw webhooks set <name> --prompt <text> --secret-file <file>`);
  else
    for (const row of rows) {
      if (!row.valid) print(`${row.name.padEnd(24)} INVALID  ${"problem" in row ? row.problem : ""}`);
      else
        print(
          `${row.name.padEnd(24)} ${(row.enabled ? "enabled" : "disabled").padEnd(8)} ${String(row.verification).padEnd(15)} ${String(row.audience).padEnd(8)} events: ${"events" in row && row.events && row.events.length > 0 ? row.events.join(",") : "(all)"}`,
        );
    }
  return 0;
}

/** `webhooks show <name> [--json]`: the route's settings; the secret is never printed. */
export function webhooksShow(context: CliContext, name: string, options: { json?: boolean }): number {
  return settings(() => {
    checkName(name);
    const result = readRouteFile(context.paths.webhooksDir, name);
    if (!result.ok) {
      printError(`error: ${result.error}`);
      return 1;
    }
    const view = { name, path: routeFilePath(context.paths.webhooksDir, name), ...redacted(result.route) };
    print(options.json ? JSON.stringify(view) : JSON.stringify(view, null, 2));
    return 0;
  });
}

/**
 * `webhooks set <name> …`: creates the route (a prompt and a secret are required) or patches the
 * given fields of an existing one. Validated before writing; the file is written 0600.
 */
export function webhooksSet(context: CliContext, name: string, options: WebhookSetOptions): number {
  return settings(() => {
    checkName(name);
    const dir = context.paths.webhooksDir;
    const existing = readRouteFile(dir, name);
    const exists = listRouteNames(dir).includes(name);
    if (exists && !existing.ok) {
      throw new ConfigError(
        "webhook_route_invalid",
        `The existing route file is invalid: ${existing.error}`,
        {
          remediation: `Fix or delete ${routeFilePath(dir, name)} (netclaw webhooks delete ${name}) first.`,
        },
      );
    }
    const base: Partial<WebhookRouteInput> = existing.ok ? structuredClone(existing.route) : {};
    const secret = readSecret(context, options);
    const prompt = options.promptFile ? readPromptFile(options.promptFile) : options.prompt;
    if (!existing.ok && (prompt === undefined || secret === undefined)) {
      throw new ConfigError("webhook_route_incomplete", `A new route needs a prompt and a secret.`, {
        remediation: `netclaw webhooks set ${name} --prompt "<what to do>" --secret-file <file> (or --secret-env <VAR>)`,
      });
    }
    const next: Record<string, unknown> = { ...base };
    if (prompt !== undefined) next.Prompt = prompt;
    if (options.audience !== undefined) next.Audience = options.audience;
    if (options.events !== undefined)
      next.Events = options.events
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean);
    if (options.notifyInstructions !== undefined) next.NotifyInstructions = options.notifyInstructions;
    const maxBody = integer("--max-body-bytes", options.maxBodyBytes);
    if (maxBody !== undefined) next.MaxBodyBytes = maxBody;
    const rate = integer("--rate-limit", options.rateLimit);
    if (rate !== undefined) next.RateLimitPerMinute = rate;
    if (options.enable) next.Enabled = true;
    if (options.disable) next.Enabled = false;
    next.Verification = {
      ...(base.Verification ?? {}),
      ...(options.kind === undefined ? {} : { Kind: options.kind }),
      ...(secret === undefined ? {} : { Secret: secret }),
    };
    try {
      writeRouteFile({ dir, name, route: next as WebhookRouteInput });
    } catch (error) {
      throw new ConfigError("webhook_route_invalid", (error as Error).message, {
        remediation: "Fix the named option and run the command again; nothing was written.",
      });
    }
    print(`${exists ? "Updated" : "Created"} webhook route ${name} (${routeFilePath(dir, name)}).`);
    print(`Deliveries: POST /api/webhooks/${name} (needs Webhooks.Enabled=true).`);
    return 0;
  });
}

/** `webhooks delete <name>`: removes the route file (exit 1 when there is none). */
export function webhooksDelete(context: CliContext, name: string): number {
  return settings(() => {
    checkName(name);
    if (!deleteRouteFile(context.paths.webhooksDir, name)) {
      printError(`error: no webhook route named ${name}.`);
      return 1;
    }
    print(`Deleted webhook route ${name}.`);
    return 0;
  });
}

/** `webhooks validate [name]`: checks one or every route file; exit 1 when any is invalid. */
export function webhooksValidate(context: CliContext, name?: string): number {
  return settings(() => {
    const dir = context.paths.webhooksDir;
    if (name !== undefined) checkName(name);
    const names = name === undefined ? listRouteNames(dir) : [name];
    let failures = 0;
    for (const n of names) {
      const result = readRouteFile(dir, n);
      if (result.ok) {
        const warnings = [
          ...(result.looseMode ? ["file is readable by others; chmod 600 it"] : []),
          ...result.unsupported.map(notSupportedYet),
        ];
        print(`[PASS] ${n}${warnings.map((w) => ` (warning: ${w})`).join("")}`);
      } else {
        failures++;
        print(`[FAIL] ${n}: ${result.error}`);
      }
    }
    if (names.length === 0) print("No webhook routes to validate.");
    return failures > 0 ? 1 : 0;
  });
}
