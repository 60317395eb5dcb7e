import { editConfigFile, setPath, unsetPath } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadHomeConfig } from "../../config/home-config.ts";
import { ROLES } from "../../config/models.ts";
import { DEFAULT_ENDPOINTS } from "../../config/providers/endpoints.ts";
import { providerType } from "../../config/schema.ts";
import { removeSecret, setSecret } from "../../config/secrets-file.ts";
import { findKey, getPath, isTree, type Tree } from "../../config/tree.ts";
import type { CliContext } from "../context.ts";
import { print } from "../output.ts";
import { settings } from "./config.ts";

export function providerList(context: CliContext, options: { json?: boolean }): number {
  return settings(() => {
    const { config } = loadHomeConfig({ paths: context.paths, env: context.env });
    const rows = Object.entries(config.Providers).map(([name, p]) => ({
      name,
      type: p.Type ?? "(missing)",
      endpoint: p.Endpoint ?? (p.Type ? DEFAULT_ENDPOINTS[p.Type] : undefined) ?? "(none)",
      apiKey: p.ApiKey ? "set" : "not set",
    }));
    if (options.json) print(JSON.stringify(rows));
    else if (rows.length === 0)
      print(
        "No providers configured. Add one: netclaw provider add <name> <type> [--endpoint URL] [--api-key-env VAR]",
      );
    else
      for (const r of rows)
        print(`${r.name.padEnd(20)} ${r.type.padEnd(18)} ${r.endpoint}  key: ${r.apiKey}`);
    return 0;
  });
}

export type ProviderAddOptions = { endpoint?: string; apiKeyEnv?: string; apiKeyStdin?: string };

/** `provider add <name> <type>`: the type and endpoint go to netclaw.json, the key (encrypted) to secrets.json. */
export function providerAdd(
  context: CliContext,
  name: string,
  type: string,
  options: ProviderAddOptions,
): number {
  return settings(() => {
    const parsed = providerType.safeParse(type.toLowerCase());
    if (!parsed.success) {
      throw new ConfigError("provider_type_unknown", `Unknown provider type '${type}'.`, {
        remediation: `Use one of: ${providerType.options.join(", ")}.`,
      });
    }
    let key: string | undefined;
    if (options.apiKeyEnv) {
      key = context.env[options.apiKeyEnv];
      if (!key) {
        throw new ConfigError(
          "provider_key_missing",
          `The environment variable ${options.apiKeyEnv} is empty or not set.`,
          {
            remediation: `export ${options.apiKeyEnv}=<key> first, or leave --api-key-env out.`,
          },
        );
      }
    } else if (options.apiKeyStdin !== undefined) key = options.apiKeyStdin.trim() || undefined;
    editConfigFile({
      paths: context.paths,
      env: context.env,
      ...(key ? { editSecrets: (plain: Tree) => setPath(plain, ["Providers", name, "ApiKey"], key) } : {}),
      edit: (file) => {
        setPath(file, ["Providers", name, "Type"], parsed.data);
        if (options.endpoint) setPath(file, ["Providers", name, "Endpoint"], options.endpoint);
      },
    });
    if (key) {
      setSecret({
        secretsPath: context.paths.secretsFile,
        keyPath: context.paths.secretsKey,
        dottedKey: `Providers.${name}.ApiKey`,
        value: key,
      });
    }
    print(`Added provider '${name}' (${parsed.data})${key ? " with its API key stored encrypted" : ""}.`);
    return 0;
  });
}

/**
 * `provider remove <name>`: refused while a model role points at it. Its secrets go too: a key
 * left in secrets.json would be a provider with no Type, which the daemon refuses to start with.
 */
export function providerRemove(context: CliContext, name: string): number {
  return settings(() => {
    const { config } = loadHomeConfig({ paths: context.paths, env: context.env });
    const users: string[] = [];
    for (const role of ROLES)
      if (config.Models[role]?.Provider?.toLowerCase() === name.toLowerCase()) users.push(`Models.${role}`);
    for (const [def, entry] of Object.entries(config.Models.Definitions ?? {})) {
      if (entry.Provider?.toLowerCase() === name.toLowerCase()) users.push(`Models.Definitions.${def}`);
    }
    if (users.length > 0) {
      throw new ConfigError("provider_in_use", `Provider '${name}' is used by ${users.join(", ")}.`, {
        remediation:
          "Point those roles at another provider first (`netclaw model set <role> <provider> <model-id>`).",
      });
    }
    let removed = false;
    editConfigFile({
      paths: context.paths,
      env: context.env,
      edit: (file) => {
        const providers = getPath(file, ["Providers"]);
        if (isTree(providers) && findKey(providers, name) !== undefined)
          removed = unsetPath(file, ["Providers", name]);
      },
      editSecrets: (plain) => void unsetPath(plain, ["Providers", name]),
    });
    if (removed) {
      removeSecret({
        secretsPath: context.paths.secretsFile,
        keyPath: context.paths.secretsKey,
        dottedKey: `Providers.${name}`,
      });
    }
    print(
      removed ? `Removed provider '${name}'.` : `No provider named '${name}' in ${context.paths.configFile}.`,
    );
    return removed ? 0 : 1;
  });
}
