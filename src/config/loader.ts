import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ZodError, z } from "zod";
import { configEntriesFromEnv } from "./env.ts";
import { ConfigError } from "./errors.ts";
import { normalizeConfig, type SchemaNode, type UnknownKey } from "./normalize.ts";
import { type ConfigSource, describeSource, Provenance } from "./provenance.ts";
import { configSchema, type NetclawConfig, SECRET_KEY_NAMES } from "./schema.ts";
import { getPath, isTree, mergeInto, setPath, type Tree } from "./tree.ts";
import { takeUnsupportedKeys, type UnsupportedKeyWarning } from "./unsupported-keys.ts";

export type ConfigWarning =
  | { code: "unknown_key"; key: string; source: string; message: string }
  | UnsupportedKeyWarning;

export type LoadedConfig = {
  config: NetclawConfig;
  warnings: ConfigWarning[];
  provenance: Provenance;
  configFileExists: boolean;
  secretsFileExists: boolean;
  /** The raw netclaw.json object (no defaults, no env), for doctor and `config get`. */
  fileTree: Tree;
};

export type LoadConfigOptions = {
  configFile: string;
  secretsFile: string;
  env: NodeJS.ProcessEnv;
  /** Decrypts `ENC:` leaves of secrets.json in memory; without it secrets load as written. */
  decryptSecrets?: (tree: Tree) => Tree;
  /** Validate this netclaw.json content instead of the file on disk (an edit not yet written). */
  fileOverride?: Tree;
};

let jsonSchema: SchemaNode | undefined;

/** Generates the JSON Schema of netclaw.json from the zod schema (input side: what a user may write). */
export function generateConfigJsonSchema(): SchemaNode & Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as SchemaNode &
    Record<string, unknown>;
}

/**
 * The JSON Schema the loader walks: the copy shipped beside the package
 * (`netclaw-config.v1.schema.json`, kept equal to the zod schema by a test and by the build),
 * read instead of regenerated so a start does not pay for the conversion.
 */
export function configJsonSchema(): SchemaNode & Record<string, unknown> {
  if (!jsonSchema) {
    try {
      jsonSchema = JSON.parse(readFileSync(SHIPPED_SCHEMA, "utf8")) as SchemaNode;
    } catch {
      jsonSchema = generateConfigJsonSchema();
    }
  }
  return jsonSchema as SchemaNode & Record<string, unknown>;
}

const SHIPPED_SCHEMA = join(import.meta.dirname, "..", "..", "netclaw-config.v1.schema.json");

/**
 * Builds the effective configuration from its layers, later wins: built-in defaults <
 * config/netclaw.json < config/secrets.json < NETCLAW_… environment variables. Keys are matched
 * case-insensitively. Unknown keys become warnings. Throws ConfigError for unreadable files,
 * invalid JSON and values the schema rejects; the message names the file or variable and the key.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const provenance = new Provenance();
  const merged: Tree = {};

  const file = options.fileOverride
    ? { exists: true, tree: options.fileOverride }
    : readJsonObject(options.configFile);
  if (file.tree) {
    mergeInto(merged, structuredClone(file.tree));
    provenance.recordTree(file.tree, { kind: "file", path: options.configFile });
  }
  const secrets = readJsonObject(options.secretsFile);
  if (secrets.tree) {
    const plain = options.decryptSecrets ? options.decryptSecrets(secrets.tree) : secrets.tree;
    mergeInto(merged, structuredClone(plain));
    provenance.recordTree(plain, { kind: "file", path: options.secretsFile });
  }
  const rootKeys = Object.keys(configJsonSchema().properties ?? {});
  for (const entry of configEntriesFromEnv(options.env, rootKeys)) {
    setPath(merged, entry.path, entry.value);
    provenance.record(entry.path, { kind: "env", name: entry.name });
  }

  const unknown: UnknownKey[] = [];
  const normalized = normalizeConfig(merged, configJsonSchema(), unknown);
  const result = configSchema.safeParse(normalized);
  if (!result.success) throw schemaError(result.error, normalized, provenance);

  // Documented settings not implemented yet get their own warning (unsupported-keys.ts).
  const unsupported = takeUnsupportedKeys({ unknown, tree: merged, provenance });
  const warnings = unsupported.unknown.map(({ path }) => {
    const key = path.join(".");
    const source = describeSource(provenance.lookup(path));
    return {
      code: "unknown_key" as const,
      key,
      source,
      message: `Unknown configuration key '${key}' in ${source} is ignored. Check its spelling against \`netclaw config schema\`, or remove it.`,
    };
  });
  return {
    config: result.data,
    warnings: [...unsupported.warnings, ...warnings],
    provenance,
    configFileExists: file.exists,
    secretsFileExists: secrets.exists,
    fileTree: file.tree ?? {},
  };
}

/** Reads a JSON file that must hold an object; a missing file is not an error. */
export function readJsonObject(path: string): { exists: boolean; tree: Tree | undefined } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { exists: false, tree: undefined };
    throw new ConfigError("config_unreadable", `Cannot read ${path}: ${(error as Error).message}.`, {
      remediation: `Make ${path} readable by the user running netclaw (uid ${process.getuid?.() ?? "?"}), e.g. with chown or chmod.`,
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError("config_invalid_json", `Invalid JSON in ${path}: ${(error as Error).message}.`, {
      remediation: `Fix the JSON syntax in ${path} (\`netclaw doctor\` checks it), or restore the file from a backup.`,
      cause: error,
    });
  }
  if (!isTree(parsed)) {
    throw new ConfigError("config_not_object", `${path} must hold a JSON object at the top level.`, {
      remediation: `Wrap the settings in { … }, for example {"configVersion": 1}.`,
    });
  }
  return { exists: true, tree: parsed };
}

function schemaError(error: ZodError, normalized: unknown, provenance: Provenance): ConfigError {
  const issue = error.issues[0]!;
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const key = path.join(".") || "(root)";
  const source: ConfigSource = provenance.lookup(path);
  const raw = getPath(normalized, path.map(String));
  const secret = path.some((segment) => SECRET_KEY_NAMES.includes(String(segment)));
  const shown = raw === undefined ? "(missing)" : secret ? "(hidden)" : JSON.stringify(raw);
  const more = error.issues.length > 1 ? ` (${error.issues.length - 1} more problem(s) after this one)` : "";
  const message = `Invalid configuration value for ${key} in ${describeSource(source)}: ${shown} — ${describeIssue(issue)}.${more}`;
  const where =
    source.kind === "env" ? `the environment variable ${source.name}` : `${key} in ${describeSource(source)}`;
  return new ConfigError("config_invalid_value", message, {
    key,
    remediation: `Correct ${where}, or remove it to use the default. \`netclaw config schema\` lists every key and its allowed values.`,
  });
}

function describeIssue(issue: ZodError["issues"][number]): string {
  switch (issue.code) {
    case "invalid_value":
      return `expected one of: ${issue.values.map((v) => String(v)).join(", ")}`;
    case "invalid_type":
      return `expected ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}`;
    case "too_small":
      return `must be at least ${String(issue.minimum)}${issue.origin === "string" ? " characters long" : ""}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}`;
    case "invalid_format":
      return issue.format === "url"
        ? "expected a URL such as http://host:port"
        : `expected the ${issue.format} format`;
    default:
      return issue.message;
  }
}
