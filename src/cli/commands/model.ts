import { editConfigFile, setPath, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { ROLES, type Role, resolveModels } from "../../config/models.ts";
import { listModels } from "../../config/providers/list-models.ts";
import { getPath } from "../../config/tree.ts";
import type { CliContext } from "../context.ts";
import { print } from "../output.ts";
import { settings } from "./config.ts";

function parseRole(text: string): Role {
  const role = ROLES.find((r) => r.toLowerCase() === text.toLowerCase());
  if (!role) {
    throw new ConfigError("model_role_unknown", `Unknown model role '${text}'.`, {
      remediation: "Use main, fallback or compaction.",
    });
  }
  return role;
}

const load = (context: CliContext) => loadHomeConfig({ paths: context.paths, env: context.env });

export function modelList(context: CliContext, options: { json?: boolean }): number {
  return settings(() => {
    const resolution = resolveModels(load(context).config);
    if (options.json) {
      print(JSON.stringify(resolution));
      return resolution.state === "invalid" ? 1 : 0;
    }
    if (resolution.state === "none") {
      print(`No Main model: ${resolution.reason}`);
      return 0;
    }
    if (resolution.state === "invalid") {
      print(`Invalid model configuration: ${resolution.message}`);
      print(`       fix: ${resolution.remediation}`);
      return 1;
    }
    for (const role of ROLES) {
      const m = resolution.roles[role];
      const inherited = role !== "Main" && m === resolution.roles.Main ? " (from Main)" : "";
      print(
        `${role.padEnd(11)} ${m.modelId} via ${m.provider} (${m.providerType})${m.contextWindow ? `, context ${m.contextWindow}` : ""}${inherited}`,
      );
    }
    return 0;
  });
}

/**
 * `model set <role> <provider> <model-id> [--context-window N]`: writes the role in the shape the
 * file already uses (named Definitions/Roles, or the inline `Models.<Role>` the Docker page uses).
 */
export function modelSet(
  context: CliContext,
  roleText: string,
  provider: string,
  modelId: string,
  options: { contextWindow?: string },
): number {
  return settings(() => {
    const role = parseRole(roleText);
    const { config } = load(context);
    if (!Object.keys(config.Providers).some((name) => name.toLowerCase() === provider.toLowerCase())) {
      throw new ConfigError("provider_unknown", `Provider '${provider}' is not configured.`, {
        remediation: `Add it first: netclaw provider add ${provider} <type>. Configured: ${Object.keys(config.Providers).join(", ") || "(none)"}.`,
      });
    }
    const entry: Record<string, unknown> = { Provider: provider, ModelId: modelId };
    if (options.contextWindow !== undefined) entry.ContextWindow = Number(options.contextWindow);
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        if (
          getPath(file, ["Models", "Definitions"]) !== undefined ||
          getPath(file, ["Models", "Roles"]) !== undefined
        ) {
          const name = role.toLowerCase();
          setPath(file, ["Models", "Definitions", name], entry);
          setPath(file, ["Models", "Roles", role], name);
        } else {
          setPath(file, ["Models", role], entry);
        }
      },
    });
    print(`${role} model set to ${modelId} via ${provider}.`);
    return 0;
  });
}

export function modelClear(context: CliContext, roleText: string): number {
  return settings(() => {
    const role = parseRole(roleText);
    if (role === "Main") {
      throw new ConfigError("model_main_required", "The Main model cannot be cleared.", {
        remediation: "Set another one instead: netclaw model set main <provider> <model-id>.",
      });
    }
    let removed = false;
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        removed = unsetPath(file, ["Models", role]) || unsetPath(file, ["Models", "Roles", role]);
      },
    });
    print(
      removed
        ? `${role} cleared; it uses the Main model now.`
        : `${role} was not set; it already uses the Main model.`,
    );
    return 0;
  });
}

/** `model discover <provider>`: the provider's live model list (OpenRouter, Ollama tags, OpenAI, Anthropic, /v1/models). */
export async function modelDiscover(
  context: CliContext,
  name: string,
  options: { json?: boolean },
): Promise<number> {
  let config: ReturnType<typeof load>["config"];
  try {
    config = load(context).config;
  } catch (error) {
    return settings(() => {
      throw error;
    });
  }
  const key = Object.keys(config.Providers).find((n) => n.toLowerCase() === name.toLowerCase());
  const provider = key === undefined ? undefined : config.Providers[key];
  if (!key || !provider) {
    return settings(() => {
      throw new ConfigError("provider_unknown", `Provider '${name}' is not configured.`, {
        remediation: `Add it first: netclaw provider add ${name} <type>.`,
      });
    });
  }
  try {
    const models = await listModels({ name: key, provider, signal: AbortSignal.timeout(15_000) });
    if (options.json) print(JSON.stringify(models));
    else if (models.length === 0) print(`${key} lists no models.`);
    else for (const m of models) print(m.contextWindow ? `${m.id}  (context ${m.contextWindow})` : m.id);
    return 0;
  } catch (error) {
    print(`[FAIL] model discover: ${key}: ${(error as Error).message}`);
    return 1;
  }
}
