import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ZodError, z } from "zod";
import { configEntriesFromEnv } from "./env.ts";
import { ConfigError } from "./errors.ts";
import { assertSafeTree } from "./key-hazards.ts";
import { normalizeConfig, type SchemaNode, type UnknownKey } from "./normalize.ts";
import { type ConfigSource, describeSource, Provenance } from "./provenance.ts";
import { configSchema, type NetclawConfig } from "./schema.ts";
import { isSecretPath, MASKED, plaintextSecretPaths } from "./secret-leaves.ts";
import { getPath, isTree, mergeInto, setPath, type Tree } from "./tree.ts";
import { takeUnsupportedKeys, type UnsupportedKeyWarning } from "./unsupported-keys.ts";

/** A problem that does not stop anything: `message` is one sentence for logs, `remediation` the fix. */
export type ConfigWarning =
  | {
      code: "unknown_key" | "plaintext_secret";
      key: string;
      source: string;
      message: string;
      remediation: string;
    }
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
  /**
   * A change to secrets.json the caller makes right after (a provider's key added or removed),
   * applied to the decrypted secrets (an empty tree when the file is missing) so the result is
   * validated as if it were already stored.
   */
  editSecrets?: (plain: Tree) => void;
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
 * case-insensitively. Unknown keys and credentials written in plain text into netclaw.json
 * become warnings, each naming the file or variable it was written in. Throws ConfigError for
 * unreadable files, invalid JSON, reserved or case-duplicate keys, nesting deeper than
 * MAX_CONFIG_DEPTH, and values the schema rejects; the message names the file or variable and
 * the key. Cross-references (a model's provider, the exposure topology…) are `validateConfig`'s.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const provenance = new Provenance();
  const merged: Tree = {};
  const warnings: ConfigWarning[] = [];
  const addLayer = (tree: Tree, source: ConfigSource) => {
    mergeInto(merged, structuredClone(tree));
    provenance.recordTree(tree, source);
    warnings.push(...unknownKeyWarnings(tree, source));
  };

  const file = options.fileOverride
    ? { exists: true, tree: options.fileOverride }
    : readJsonObject(options.configFile);
  if (file.tree) {
    if (options.fileOverride) assertSafeTree(file.tree, options.configFile);
    addLayer(file.tree, { kind: "file", path: options.configFile });
    warnings.push(...plaintextSecretWarnings(file.tree, options.configFile));
  }
  const secrets = readJsonObject(options.secretsFile);
  let plain = secrets.tree && options.decryptSecrets ? options.decryptSecrets(secrets.tree) : secrets.tree;
  if (options.editSecrets) {
    plain = structuredClone(plain ?? {});
    options.editSecrets(plain);
    assertSafeTree(plain, options.secretsFile);
  }
  if (plain) addLayer(plain, { kind: "file", path: options.secretsFile });
  const rootKeys = Object.keys(configJsonSchema().properties ?? {});
  for (const entry of configEntriesFromEnv(options.env, rootKeys)) {
    const tree: Tree = {};
    setPath(tree, entry.path, entry.value);
    warnings.push(...unknownKeyWarnings(tree, { kind: "env", name: entry.name }));
    setPath(merged, entry.path, entry.value);
    provenance.record(entry.path, { kind: "env", name: entry.name });
  }

  const normalized = normalizeConfig(merged, configJsonSchema(), []);
  const result = configSchema.safeParse(normalized);
  if (!result.success) throw schemaError(result.error, normalized, provenance);
  return {
    config: result.data,
    warnings,
    provenance,
    configFileExists: file.exists,
    secretsFileExists: secrets.exists,
    fileTree: file.tree ?? {},
  };
}

/**
 * The keys of one layer the schema does not know, each named with that layer's file or variable;
 * documented settings not implemented yet get their own warning (unsupported-keys.ts).
 */
function unknownKeyWarnings(tree: Tree, source: ConfigSource): ConfigWarning[] {
  const found: UnknownKey[] = [];
  normalizeConfig(tree, configJsonSchema(), found);
  const layer = new Provenance();
  layer.recordTree(tree, source);
  const { warnings, unknown } = takeUnsupportedKeys({ unknown: found, tree, provenance: layer });
  return [
    ...warnings,
    ...unknown.map(({ path, suggestion }) => {
      const key = path.join(".");
      const where = describeSource(source);
      const hint = suggestion ? ` Did you mean '${[...path.slice(0, -1), suggestion].join(".")}'?` : "";
      return {
        code: "unknown_key" as const,
        key,
        source: where,
        message: `Unknown configuration key '${key}' in ${where} is ignored.${hint} Check its spelling against \`netclaw config schema\`, or remove it.`,
        remediation: suggestion
          ? `rename it to '${suggestion}' in ${where}, or remove it`
          : "check its spelling against `netclaw config schema`, or remove it",
      };
    }),
  ];
}

/** A credential in netclaw.json is readable by anything that reads the settings file or its backups. */
function plaintextSecretWarnings(tree: Tree, file: string): ConfigWarning[] {
  return plaintextSecretPaths(tree).map((key) => ({
    code: "plaintext_secret" as const,
    key,
    source: file,
    message: `${key} is stored in plain text in ${file}; credentials belong encrypted in secrets.json.`,
    remediation: `move it: \`netclaw secrets set ${key}\` (the value on stdin), then \`netclaw config unset ${key}\``,
  }));
}

/**
 * Reads a JSON file that must hold an object; a missing file is not an error. Throws ConfigError
 * for an unreadable file, invalid JSON, a non-object, and the hazards of `assertSafeTree`.
 */
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
  assertSafeTree(parsed, path); // before any caller merges or clones it
  return { exists: true, tree: parsed };
}

function schemaError(error: ZodError, normalized: unknown, provenance: Provenance): ConfigError {
  const issue = error.issues[0]!;
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const key = path.join(".") || "(root)";
  const source: ConfigSource = provenance.lookup(path);
  const raw = getPath(normalized, path.map(String));
  const shown = raw === undefined ? "(missing)" : isSecretPath(path) ? MASKED : JSON.stringify(raw);
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
