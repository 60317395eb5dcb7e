import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../../config/atomic-write.ts";
import { editConfigFile } from "../../config/config-file.ts";
import { ConfigError } from "../../config/errors.ts";
import { ensureHome, type HomePaths } from "../../config/home.ts";
import { DEFAULT_AGENTS, DEFAULT_SOUL, DEFAULT_TOOLING } from "../../config/identity.ts";
import { isNetclawd, readPidFile } from "../../config/pid-file.ts";
import { isEncrypted, type JsonValue } from "../../config/secret-box.ts";
import { encryptPlaintextSecrets } from "../../config/secrets-file.ts";
import { isTree, type Tree } from "../../config/tree.ts";
import { loadValidConfig } from "../../config/validate.ts";

/** One safe repair: what it touches, in words, and how to apply it. */
export type Fix = { path: string; description: string; apply: () => void };

function readTree(path: string): Tree | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isTree(parsed) ? parsed : undefined;
  } catch {
    return undefined; // unreadable or invalid JSON is reported by doctor, never "fixed" by rewriting
  }
}

/** Whether the daemon would start with this home's configuration as it is. */
function isStartable(paths: HomePaths, env: NodeJS.ProcessEnv): boolean {
  try {
    loadValidConfig({ paths, env });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

function plaintextLeaves(tree: JsonValue, prefix: string[] = []): string[] {
  if (typeof tree === "string") return isEncrypted(tree) ? [] : [prefix.join(".")];
  if (tree === null || typeof tree !== "object") return [];
  if (Array.isArray(tree)) return tree.flatMap((item, i) => plaintextLeaves(item, [...prefix, String(i)]));
  return Object.entries(tree).flatMap(([key, value]) => plaintextLeaves(value, [...prefix, key]));
}

/**
 * What `doctor --fix` can repair without judgement calls: missing home directories, a missing
 * `configVersion`, permissions wider than owner-only on secrets, plaintext values in
 * secrets.json (encrypted with keys/secrets.key), and a pid file left by a dead daemon.
 * Never deletes user data; invalid JSON is left for the user.
 */
export function planFixes(paths: HomePaths, env: NodeJS.ProcessEnv): Fix[] {
  const fixes: Fix[] = [];
  const missing = [
    paths.configDir,
    paths.identityDir,
    paths.sessionsDir,
    paths.keysDir,
    paths.logsDir,
    paths.clientDir,
  ].filter((dir) => !existsSync(dir));
  if (!existsSync(paths.root) || missing.length > 0) {
    fixes.push({
      path: paths.root,
      description: `create the missing home directories (${missing.map((d) => relative(paths.root, d) || d).join(", ")})`,
      apply: () => ensureHome(paths),
    });
  }

  const config = existsSync(paths.configFile) ? readTree(paths.configFile) : undefined;
  // Through the one validation of every netclaw.json writer: a file the daemon refuses for
  // another reason is left for the user (doctor names that problem), never rewritten.
  if (config && config.configVersion === undefined && isStartable(paths, env)) {
    fixes.push({
      path: paths.configFile,
      description: 'add "configVersion": 1',
      apply: () => void editConfigFile({ paths, env, edit: () => {} }), // it adds configVersion: 1
    });
  }

  for (const [path, mode] of [
    [paths.keysDir, 0o700],
    [paths.secretsFile, 0o600],
    [paths.devicesFile, 0o600],
    [paths.secretsKey, 0o600],
    [paths.localControlKey, 0o600],
  ] as const) {
    if (existsSync(path) && (statSync(path).mode & 0o777 & ~mode) !== 0) {
      fixes.push({
        path,
        description: `restrict permissions to ${mode.toString(8)}`,
        apply: () => chmodSync(path, mode),
      });
    }
  }

  const secrets = existsSync(paths.secretsFile) ? readTree(paths.secretsFile) : undefined;
  const plain = secrets ? plaintextLeaves(secrets as JsonValue) : [];
  if (secrets && plain.length > 0) {
    fixes.push({
      path: paths.secretsFile,
      description: `encrypt ${plain.map((key) => `${key}: plaintext → ENC:v1:…`).join(", ")}`,
      // Refuses (changing nothing) when a stored value does not decrypt with the current key, so a
      // file never ends up holding values under two different keys.
      apply: () =>
        void encryptPlaintextSecrets({ secretsPath: paths.secretsFile, keyPath: paths.secretsKey }),
    });
  }

  for (const [name, content] of [
    ["SOUL.md", DEFAULT_SOUL],
    ["AGENTS.md", DEFAULT_AGENTS],
    ["TOOLING.md", DEFAULT_TOOLING],
  ] as const) {
    const file = join(paths.identityDir, name);
    if (existsSync(paths.identityDir) && !existsSync(file)) {
      fixes.push({
        path: file,
        description: `write the default identity/${name} (\`netclaw init\` personalises it)`,
        apply: () => writeFileAtomic(file, content, { mode: 0o644 }),
      });
    }
  }

  const pid = readPidFile(paths.pidFile);
  if (pid && !isNetclawd(pid.pid)) {
    fixes.push({
      path: paths.pidFile,
      description: `remove the stale pid file (process ${pid.pid} is not a running netclawd)`,
      apply: () => rmSync(paths.pidFile, { force: true }),
    });
  }
  return fixes;
}

/** Copies every existing file a fix will change into `backups/doctor-<time>/` first; returns that folder. */
export function backupBeforeFixes(paths: HomePaths, fixes: Fix[], now = new Date()): string | undefined {
  const files = [...new Set(fixes.map((f) => f.path))].filter((p) => existsSync(p) && statSync(p).isFile());
  if (files.length === 0) return undefined;
  const folder = join(paths.backupsDir, `doctor-${now.toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const file of files) {
    const target = join(folder, relative(paths.root, file).replaceAll("/", "__"));
    copyFileSync(file, target);
    chmodSync(target, 0o600);
  }
  return folder;
}
