import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { backupDatabase, fileTimestamp } from "../../config/sqlite-backup.ts";
import { buildInfo } from "../../protocol/build-info.ts";
import type { CliContext } from "../context.ts";
import { print, printError } from "../output.ts";
import { runningPid } from "./daemon.ts";

/** What a backup holds: the settings users cannot rebuild, plus a consistent copy of the database. */
const DIRECTORIES = ["config", "identity", "keys", "schedules"] as const;
const DATABASE = join("sessions", "netclaw.db");
/** Long-term memory has its own database beside the sessions one; copied the same way. */
const MEMORY_DATABASE = join("memory", "netclaw-memory.db");

const manifestSchema = z.object({
  format: z.literal("netclaw-backup"),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  netclawVersion: z.string(),
  schemaVersion: z.number().nullable(),
  contents: z.array(z.string()),
});

/**
 * `netclaw backup create [path]`: one gzip'd tar (0600: it holds keys and secrets) with
 * config/, identity/, keys/, schedules/ and online-backup copies of the sessions and memory databases, taken while
 * the daemon keeps running. Refuses to overwrite an existing file.
 */
export async function backupCreate(context: CliContext, target?: string): Promise<number> {
  const archive = resolve(
    target ?? `netclaw-backup-${fileTimestamp(new Date()).replace(/\.\d+Z$/, "Z")}.tar.gz`,
  );
  if (!existsSync(context.paths.root)) {
    printError(`error: there is nothing to back up: ${context.paths.root} does not exist.`);
    return 1;
  }
  if (existsSync(archive)) {
    printError(`error: ${archive} already exists; choose another path or move it away.`);
    return 1;
  }
  const written = await writeArchive(context, archive);
  print(
    `Backup written to ${archive} (${written.contents.join(", ")}; ${Math.ceil(statSync(archive).size / 1024)} KB).`,
  );
  print("It contains your keys and credentials: keep it somewhere safe.");
  return 0;
}

async function writeArchive(context: CliContext, archive: string): Promise<z.infer<typeof manifestSchema>> {
  const staging = mkdtempSync(join(tmpdir(), "netclaw-backup-"));
  try {
    const contents: string[] = [];
    for (const dir of DIRECTORIES) {
      const source = join(context.paths.root, dir);
      if (!existsSync(source)) continue;
      copyTree(source, join(staging, dir));
      contents.push(`${dir}/`);
    }
    let schemaVersion: number | null = null;
    if (existsSync(context.paths.database)) {
      mkdirSync(join(staging, "sessions"), { mode: 0o700 });
      await backupDatabase({ sourcePath: context.paths.database, destinationPath: join(staging, DATABASE) });
      schemaVersion = readSchemaVersion(join(staging, DATABASE));
      contents.push(DATABASE);
    }
    const memory = join(context.paths.root, MEMORY_DATABASE);
    if (existsSync(memory)) {
      mkdirSync(join(staging, "memory"), { mode: 0o700 });
      await backupDatabase({ sourcePath: memory, destinationPath: join(staging, MEMORY_DATABASE) });
      contents.push(MEMORY_DATABASE);
    }
    const manifest = {
      format: "netclaw-backup" as const,
      formatVersion: 1 as const,
      createdAt: new Date().toISOString(),
      netclawVersion: buildInfo().version,
      schemaVersion,
      contents,
    };
    writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const partial = `${archive}.partial`;
    execFileSync("tar", ["-czf", partial, "-C", staging, "."], { stdio: ["ignore", "ignore", "pipe"] });
    chmodSync(partial, 0o600);
    renameSync(partial, archive);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * `netclaw backup restore <archive>`: with the daemon stopped, saves what it is about to replace
 * as `backups/pre-restore-<time>.tar.gz` in the home, then puts the archive's directories and
 * database in place. Nothing is deleted before the safety copy exists.
 */
export async function backupRestore(context: CliContext, source: string): Promise<number> {
  const archive = resolve(source);
  if (runningPid(context) !== undefined) {
    printError("error: netclawd is running; stop it first (`netclaw daemon stop`), then restore.");
    return 1;
  }
  if (context.inContainer) {
    printError(
      "error: inside the container the supervisor keeps netclawd running; restore from a one-off container instead: `docker run --rm -v netclaw-home:/home/netclaw/.netclaw --entrypoint netclaw <image> backup restore <archive>`.",
    );
    return 1;
  }
  const entries = listArchive(archive);
  if (typeof entries === "string") {
    printError(`error: ${archive} is not a netclaw backup: ${entries}`);
    return 1;
  }
  const staging = mkdtempSync(join(tmpdir(), "netclaw-restore-"));
  try {
    execFileSync("tar", ["-xzf", archive, "-C", staging, "--no-same-owner"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const manifest = manifestSchema.safeParse(readJson(join(staging, "manifest.json")));
    if (!manifest.success) {
      printError(
        `error: ${archive} is not a netclaw backup (manifest.json is missing or not a netclaw backup manifest).`,
      );
      return 1;
    }
    mkdirSync(context.paths.backupsDir, { recursive: true, mode: 0o700 });
    const safety = join(context.paths.backupsDir, `pre-restore-${fileTimestamp(new Date())}.tar.gz`);
    await writeArchive(context, safety);
    for (const dir of DIRECTORIES) {
      if (!existsSync(join(staging, dir))) continue;
      rmSync(join(context.paths.root, dir), { recursive: true, force: true });
      copyTree(join(staging, dir), join(context.paths.root, dir));
    }
    if (existsSync(join(staging, DATABASE))) {
      mkdirSync(context.paths.sessionsDir, { recursive: true });
      for (const suffix of ["", "-wal", "-shm"])
        rmSync(`${context.paths.database}${suffix}`, { force: true });
      cpSync(join(staging, DATABASE), context.paths.database);
    }
    if (existsSync(join(staging, MEMORY_DATABASE))) {
      const memory = join(context.paths.root, MEMORY_DATABASE);
      mkdirSync(join(context.paths.root, "memory"), { recursive: true, mode: 0o700 });
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${memory}${suffix}`, { force: true });
      cpSync(join(staging, MEMORY_DATABASE), memory);
    }
    const m = manifest.data;
    print(
      `Restored ${archive} (made ${m.createdAt} by netclaw ${m.netclawVersion}; ${m.contents.join(", ")}).`,
    );
    print(`What it replaced was saved to ${safety}.`);
    return 0;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The archive's entry names, or why it cannot be ours (absolute paths or `..` are refused). */
function listArchive(archive: string): string[] | string {
  let listing: string;
  try {
    listing = execFileSync("tar", ["-tzf", archive], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return "it cannot be read as a .tar.gz archive.";
  }
  const entries = listing.split("\n").filter((line) => line !== "");
  if (entries.some((entry) => entry.startsWith("/") || entry.split("/").includes(".."))) {
    return "it contains absolute or parent-directory paths.";
  }
  if (!entries.some((entry) => entry.replace(/^\.\//, "") === "manifest.json"))
    return "it has no manifest.json.";
  return entries;
}

/** cpSync, then the source's permission bits on every directory and file (keys/ stays 0700). */
function copyTree(source: string, destination: string): void {
  cpSync(source, destination, { recursive: true, preserveTimestamps: true });
  const apply = (from: string, to: string) => {
    const stat = statSync(from);
    chmodSync(to, stat.mode & 0o777);
    if (stat.isDirectory()) for (const name of readdirSync(from)) apply(join(from, name), join(to, name));
  };
  apply(source, destination);
}

function readSchemaVersion(path: string): number | null {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as
      | { v: number | null }
      | undefined;
    return row?.v ?? null;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}
