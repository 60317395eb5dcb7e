import type { NetclawConfig, ProviderConfig, RoleModelConfig } from "./schema.ts";

export const ROLES = ["Main", "Fallback", "Compaction"] as const;
export type Role = (typeof ROLES)[number];

export type ResolvedModel = {
  role: Role;
  /** Definition name in the named shape; undefined for the inline shape. */
  definition: string | undefined;
  provider: string;
  providerType: NonNullable<ProviderConfig["Type"]>;
  modelId: string;
  contextWindow: number | undefined;
};

export type ModelResolution =
  | { state: "valid"; roles: Record<Role, ResolvedModel> }
  | { state: "none"; reason: string }
  | { state: "invalid"; key: string; message: string; remediation: string };

const NEEDS_KEY = new Set(["openai", "anthropic", "openrouter"]);
const FIX_NONE =
  "Configure a provider and a Main model: `netclaw init`, or set NETCLAW_Providers__<name>__Type, NETCLAW_Models__Main__Provider and NETCLAW_Models__Main__ModelId.";

/**
 * The three outcomes of reference/agent.md §1: a valid Main (Fallback and Compaction default to
 * it); `none` — no usable Main, the daemon runs degraded and answers every turn with a notice;
 * `invalid` — a broken provider or role, which must stop the daemon with a message naming it.
 */
export function resolveModels(config: NetclawConfig): ModelResolution {
  const models = config.Models;
  const inline = ROLES.some((role) => models[role] !== undefined);
  const named = models.Definitions !== undefined || models.Roles !== undefined;
  if (inline && named) {
    return invalid(
      "Models",
      "Models mixes the inline shape (Models.Main/Fallback/Compaction) with the named shape (Models.Definitions + Models.Roles).",
      "Keep one shape: move the inline roles into Models.Definitions and point Models.Roles at them, or remove Definitions/Roles.",
    );
  }
  for (const [name, provider] of Object.entries(config.Providers)) {
    if (!provider.Type) {
      return invalid(
        `Providers.${name}.Type`,
        `Provider '${name}' has no Type (Providers.${name}.Type).`,
        `Set Providers.${name}.Type to one of ollama, openai, anthropic, openrouter, openai-compatible.`,
      );
    }
    // Blank is missing: a key of spaces (a stray `secrets set … " "`) would only fail at the first turn.
    const blank = provider.ApiKey !== undefined && provider.ApiKey.trim() === "";
    if ((NEEDS_KEY.has(provider.Type) && !provider.ApiKey?.trim()) || (blank && provider.ApiKey !== "")) {
      return invalid(
        `Providers.${name}.ApiKey`,
        `Provider '${name}' (${provider.Type}) has ${blank ? "an empty" : "no"} API key (Providers.${name}.ApiKey).`,
        `Set it with \`netclaw secrets set Providers.${name}.ApiKey <key>\` or the environment variable NETCLAW_Providers__${name}__ApiKey.`,
      );
    }
    if (provider.Type === "openai-compatible" && !provider.Endpoint) {
      return invalid(
        `Providers.${name}.Endpoint`,
        `Provider '${name}' (openai-compatible) has no Endpoint (Providers.${name}.Endpoint).`,
        `Set Providers.${name}.Endpoint to the server's base URL, for example http://localhost:8000/v1.`,
      );
    }
  }

  const lookup = (
    role: Role,
  ): { entry: RoleModelConfig; key: string; definition?: string } | undefined | string => {
    if (!named) return models[role] ? { entry: models[role], key: `Models.${role}` } : undefined;
    const reference = models.Roles?.[role];
    if (!reference) return undefined;
    const entry = models.Definitions?.[reference];
    if (!entry) return `Models.Roles.${role} refers to '${reference}', which is not in Models.Definitions.`;
    return { entry, key: `Models.Definitions.${reference}`, definition: reference };
  };

  const main = lookup("Main");
  if (typeof main === "string")
    return invalid("Models.Roles.Main", main, "Add that definition, or point the role at an existing one.");
  if (!main) return { state: "none", reason: `No Main model is configured. ${FIX_NONE}` };
  if (!main.entry.Provider || !main.entry.ModelId) {
    return { state: "none", reason: `${main.key} needs both Provider and ModelId. ${FIX_NONE}` };
  }
  const resolvedMain = resolveEntry({ role: "Main", ...main }, config);
  if ("message" in resolvedMain) return resolvedMain;

  const roles: Record<Role, ResolvedModel> = {
    Main: resolvedMain,
    Fallback: resolvedMain,
    Compaction: resolvedMain,
  };
  for (const role of ["Fallback", "Compaction"] as const) {
    const found = lookup(role);
    if (typeof found === "string")
      return invalid(`Models.Roles.${role}`, found, "Add that definition, or remove the role to use Main.");
    if (!found) continue;
    if (!found.entry.Provider || !found.entry.ModelId) {
      return invalid(
        found.key,
        `${found.key} needs both Provider and ModelId.`,
        `Complete ${found.key}, or remove it to use the Main model.`,
      );
    }
    const resolved = resolveEntry({ role, ...found }, config);
    if ("message" in resolved) return resolved;
    roles[role] = resolved;
  }
  return { state: "valid", roles };
}

function resolveEntry(
  found: { role: Role; entry: RoleModelConfig; key: string; definition?: string },
  config: NetclawConfig,
): ResolvedModel | Invalid {
  const providerName = found.entry.Provider!;
  const providerKey = Object.keys(config.Providers).find(
    (name) => name.toLowerCase() === providerName.toLowerCase(),
  );
  const provider = providerKey === undefined ? undefined : config.Providers[providerKey];
  if (!provider?.Type || providerKey === undefined) {
    return invalid(
      `${found.key}.Provider`,
      `${found.key}.Provider refers to provider '${providerName}', which is not configured.`,
      `Add Providers.${providerName} (with its Type), or point ${found.key}.Provider at one of: ${Object.keys(config.Providers).join(", ") || "(none configured)"}.`,
    );
  }
  return {
    role: found.role,
    definition: found.definition,
    provider: providerKey,
    providerType: provider.Type,
    modelId: found.entry.ModelId!.trim(),
    contextWindow: found.entry.ContextWindow,
  };
}

type Invalid = Extract<ModelResolution, { state: "invalid" }>;

function invalid(key: string, message: string, remediation: string): Invalid {
  return { state: "invalid", key, message, remediation };
}
