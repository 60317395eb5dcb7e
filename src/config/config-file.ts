import { writeJsonAtomic } from "./atomic-write.ts";
import { ConfigError } from "./errors.ts";
import { ensureHome, type HomePaths } from "./home.ts";
import { createSecretsDecryptor } from "./home-config.ts";
import { configJsonSchema, type LoadedConfig, loadConfig, readJsonObject } from "./loader.ts";
import type { SchemaNode } from "./normalize.ts";
import { isSecretPath } from "./secret-leaves.ts";
import { findKey, isForbiddenKey, isTree, setPath, type Tree } from "./tree.ts";
import { refuseUnsupportedKey } from "./unsupported-keys.ts";
import { problemError, validateConfig } from "./validate.ts";

/**
 * A dotted key resolved against the schema: canonical spelling, the schema node it names, and
 * whether its value (or any value below it) must never be printed.
 */
export type ResolvedKey = { path: string[]; node: SchemaNode; secret: boolean };

/**
 * Resolves `Providers.local-ollama.Endpoint`-style keys case-insensitively against the schema.
 * Names inside records (provider, server and definition names) keep the spelling given.
 * Throws ConfigError naming the first unknown segment, or a reserved one (`__proto__`…), or
 * saying that a documented key is not supported yet.
 */
export function resolveKey(dotted: string): ResolvedKey {
  const segments = dotted.split(".").filter((s) => s !== "");
  if (segments.length === 0) {
    throw new ConfigError("config_key_invalid", "A key is required, such as Daemon.Port.", {
      remediation: "`netclaw config schema` lists every key.",
    });
  }
  let node: SchemaNode = configJsonSchema();
  const path: string[] = [];
  for (const segment of segments) {
    if (isForbiddenKey(segment)) {
      throw new ConfigError(
        "config_key_forbidden",
        `'${dotted}' names the key '${segment}', which is not allowed.`,
        {
          key: dotted,
          remediation: "Choose another name: '__proto__', 'constructor' and 'prototype' are reserved names.",
        },
      );
    }
    const properties = node.properties ?? {};
    const known = Object.keys(properties).find((key) => key.toLowerCase() === segment.toLowerCase());
    if (known) {
      path.push(known);
      node = properties[known]!;
    } else if (typeof node.additionalProperties === "object") {
      path.push(segment);
      node = node.additionalProperties;
    } else if (node.type === "array" && /^\d+$/.test(segment) && node.items) {
      path.push(segment);
      node = node.items;
    } else {
      refuseUnsupportedKey(dotted);
      const prefix = path.length ? `${path.join(".")}.` : "";
      throw new ConfigError("config_key_unknown", `'${prefix}${segment}' is not a netclaw setting.`, {
        key: dotted,
        remediation: "Check the spelling against `netclaw config schema`.",
      });
    }
  }
  return { path, node, secret: isSecretPath(path) };
}

/** Turns command-line text into the value the schema node expects (JSON for arrays and objects). */
export function parseValue(key: ResolvedKey, text: string): unknown {
  const type = Array.isArray(key.node.type) ? key.node.type[0] : key.node.type;
  if (type === "string" || (type === undefined && key.node.enum)) return text;
  if (type === "integer" || type === "number" || type === "boolean") {
    const lowered = text.trim().toLowerCase();
    if (type === "boolean" && (lowered === "true" || lowered === "false")) return lowered === "true";
    if (type !== "boolean" && lowered !== "" && !Number.isNaN(Number(lowered))) return Number(lowered);
    const noun = type === "integer" ? "a whole number" : type === "number" ? "a number" : "true or false";
    throw new ConfigError("config_value_invalid", `${key.path.join(".")} takes ${noun}, not '${text}'.`, {
      key: key.path.join("."),
      remediation: type === "boolean" ? "Use true or false." : "Use a number, for example 5199.",
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(
      "config_value_invalid",
      `${key.path.join(".")} takes JSON (${type}), not '${text}'.`,
      {
        key: key.path.join("."),
        remediation: `Quote it as JSON, for example '["a","b"]'.`,
      },
    );
  }
}

/**
 * Applies `edit` to a copy of netclaw.json, validates the whole resulting configuration (with
 * secrets.json and the environment layered on, as the daemon would load it: `loadConfig` then
 * `validateConfig`), and only then writes the file atomically. Returns the new load result;
 * throws ConfigError — the message the daemon would abort with — and writes nothing when the
 * edit would leave a configuration the daemon refuses.
 */
export function editConfigFile(options: {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  decryptSecrets?: (tree: Tree) => Tree;
  edit: (file: Tree) => void;
  /** The change to secrets.json the caller makes right after: validated as if already made. */
  editSecrets?: (plain: Tree) => void;
}): LoadedConfig {
  const file = structuredClone(readJsonObject(options.paths.configFile).tree ?? {});
  options.edit(file);
  if (file.configVersion === undefined) {
    const withVersion: Tree = { configVersion: 1, ...file };
    for (const key of Object.keys(file)) delete file[key];
    Object.assign(file, withVersion);
  }
  const loaded = loadConfig({
    configFile: options.paths.configFile,
    secretsFile: options.paths.secretsFile,
    env: options.env,
    decryptSecrets: options.decryptSecrets ?? createSecretsDecryptor({ keyPath: options.paths.secretsKey }),
    fileOverride: file,
    ...(options.editSecrets ? { editSecrets: options.editSecrets } : {}),
  });
  const problem = validateConfig(loaded.config, { configDir: options.paths.configDir });
  if (problem) throw problemError(problem);
  ensureHome(options.paths); // a settings command may be the very first thing a user runs
  writeJsonAtomic(options.paths.configFile, file, { mode: 0o600 });
  return loaded;
}

/** Removes the value at a case-insensitive path; prunes objects left empty. Returns whether it existed. */
export function unsetPath(tree: Tree, path: readonly string[]): boolean {
  const [head, ...rest] = path;
  if (head === undefined) return false;
  const key = findKey(tree, head);
  if (key === undefined) return false;
  if (rest.length === 0) {
    delete tree[key];
    return true;
  }
  const child = tree[key];
  if (!isTree(child)) return false;
  const removed = unsetPath(child, rest);
  if (removed && Object.keys(child).length === 0) delete tree[key];
  return removed;
}

export { setPath };
