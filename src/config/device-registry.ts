import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { NetclawError } from "../protocol/errors.ts";
import { writeJsonAtomic } from "./atomic-write.ts";
import { isErrnoCode } from "./key-file.ts";

const TOKEN_BYTES = 32;
const SALT_BYTES = 16;
/** LastUsedAt is rewritten at most this often per device, to spare the disk (an SD card on a Pi). */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
/** A base64url token of 32 bytes is 43 characters; anything much longer is not ours. */
const MAX_TOKEN_CHARS = 256;
const MAX_NAME_CHARS = 128;

const deviceSchema = z.object({
  Name: z.string().refine((name) => name.trim() !== "", "must not be empty"),
  IsBootstrapDevice: z.boolean(),
  TokenHash: z.string().regex(/^[0-9a-f]{64}$/i),
  Salt: z.string().regex(/^[0-9a-f]{32}$/i),
  CreatedAt: z.string(),
  LastUsedAt: z.string().nullable(),
});
const devicesFileSchema = z.array(deviceSchema);

/** One entry of `config/devices.json`, spelled as in the file. */
export type DeviceRecord = z.infer<typeof deviceSchema>;

/** What callers may see of a device: never its hash or salt. */
export type DeviceInfo = {
  name: string;
  isBootstrapDevice: boolean;
  createdAt: string;
  lastUsedAt: string | null;
};

/** `config/devices.json` is unreadable or corrupt. Auth must fail closed, so this is never ignored. */
export class DeviceRegistryError extends NetclawError {
  readonly path: string;

  constructor(options: { path: string; message: string; code?: string }) {
    super(options.code ?? "devices_file_invalid", options.message, { status: 500 });
    this.path = options.path;
  }
}

/** A device with this name (case-insensitively) is already paired. */
export class DeviceNameConflictError extends NetclawError {
  constructor(name: string) {
    super(
      "device_name_conflict",
      `A paired device named '${name}' already exists. Revoke it before pairing again.`,
      { status: 409 },
    );
  }
}

/** The device name is empty, too long or contains control characters. */
export class DeviceNameInvalidError extends NetclawError {
  constructor() {
    super(
      "device_name_invalid",
      `Device names must be 1-${MAX_NAME_CHARS} characters without control characters.`,
      { status: 400 },
    );
  }
}

export type DeviceRegistry = {
  /** Every paired device, in pairing order. */
  list(): DeviceInfo[];
  /**
   * Pairs a device: stores a fresh salt and the salted hash of `token`, then writes the file
   * atomically (0600). `name` is trimmed. Throws {@link DeviceNameConflictError} (409) if the name
   * exists case-insensitively, {@link DeviceNameInvalidError} (400) for a bad name, and a plain
   * error if `token` is not base64url of at least 16 bytes (a caller bug).
   */
  add(options: { name: string; isBootstrap: boolean; token: string }): DeviceInfo;
  /**
   * The name of the device `token` belongs to, or `null`. Never throws on a hostile token; hashes it
   * against every device and compares in constant time without stopping at a match. Updates
   * LastUsedAt, persisting it at most once a minute per device — unless `touch: false` (doctor's
   * read-only check).
   */
  verify(token: unknown, options?: { touch?: boolean }): string | null;
  /** Removes the device with this name (trimmed, case-insensitive); false when there is none. */
  revoke(name: string): boolean;
  count(): number;
};

/** A fresh device token: 32 CSPRNG bytes, base64url. Shown once; only its salted hash is stored. */
export function generateDeviceToken(randomBytes: (size: number) => Uint8Array = cryptoRandomBytes): string {
  return Buffer.from(randomBytes(TOKEN_BYTES)).toString("base64url");
}

/**
 * The paired-device registry in `devicesPath` (`<home>/config/devices.json`; its directory must
 * exist). A missing file is an empty registry; a corrupt one throws {@link DeviceRegistryError}
 * from every method. The file is cached and re-read whenever it changes on disk, so a revoke made
 * by the CLI while the daemon runs takes effect at once.
 */
export function createDeviceRegistry(options: {
  devicesPath: string;
  now: () => number;
  randomBytes?: (size: number) => Uint8Array;
  /** Called when persisting LastUsedAt fails; authentication still succeeds. */
  onLastUsedWriteError?: (error: unknown) => void;
}): DeviceRegistry {
  const path = options.devicesPath;
  const random = options.randomBytes ?? cryptoRandomBytes;
  let cache: { signature: string; devices: DeviceRecord[] } | undefined;
  /** Last time LastUsedAt was written, per device name; kept in memory only. */
  const lastWritten = new Map<string, number>();

  function load(): DeviceRecord[] {
    const signature = fileSignature(path);
    if (cache?.signature === signature) return cache.devices;
    const devices = signature === "" ? [] : parseDevicesFile(path);
    cache = { signature, devices };
    return devices;
  }

  function save(devices: DeviceRecord[]): void {
    writeJsonAtomic(path, devices, { mode: 0o600, forceMode: true });
    cache = { signature: fileSignature(path), devices };
  }

  function findIndex(devices: DeviceRecord[], name: string): number {
    const wanted = name.trim().toLowerCase();
    return devices.findIndex((d) => d.Name.trim().toLowerCase() === wanted);
  }

  function touch(devices: DeviceRecord[], device: DeviceRecord): void {
    const now = options.now();
    const previous = lastWritten.get(device.Name) ?? Date.parse(device.LastUsedAt ?? "");
    if (!Number.isNaN(previous) && now - previous < LAST_USED_WRITE_INTERVAL_MS) return;
    lastWritten.set(device.Name, now);
    const updated = devices.map((d) =>
      d === device ? { ...d, LastUsedAt: new Date(now).toISOString() } : d,
    );
    try {
      save(updated);
    } catch (error) {
      options.onLastUsedWriteError?.(error);
    }
  }

  return {
    list() {
      return load().map(toInfo);
    },
    add({ name, isBootstrap, token }) {
      const trimmed = name.trim();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      if (trimmed === "" || trimmed.length > MAX_NAME_CHARS || /[\u0000-\u001f\u007f]/.test(trimmed)) {
        throw new DeviceNameInvalidError();
      }
      const tokenBytes = decodeToken(token);
      if (tokenBytes === undefined || tokenBytes.length < 16) {
        throw new Error("device token must be base64url of at least 16 bytes");
      }
      const devices = load();
      if (findIndex(devices, trimmed) !== -1) throw new DeviceNameConflictError(trimmed);
      const salt = Buffer.from(random(SALT_BYTES));
      const createdAt = new Date(options.now()).toISOString();
      const record: DeviceRecord = {
        Name: trimmed,
        IsBootstrapDevice: isBootstrap,
        TokenHash: hashToken(tokenBytes, salt).toString("hex"),
        Salt: salt.toString("hex"),
        CreatedAt: createdAt,
        LastUsedAt: null,
      };
      save([...devices, record]);
      return toInfo(record);
    },
    verify(token, verifyOptions) {
      const devices = load();
      const tokenBytes = decodeToken(token);
      if (tokenBytes === undefined) return null;
      let match: DeviceRecord | undefined;
      for (const device of devices) {
        const expected = Buffer.from(device.TokenHash, "hex");
        const actual = hashToken(tokenBytes, Buffer.from(device.Salt, "hex"));
        // No early exit: the time taken does not depend on which device (if any) matched.
        if (timingSafeEqual(actual, expected) && match === undefined) match = device;
      }
      if (match === undefined) return null;
      if (verifyOptions?.touch !== false) touch(devices, match);
      return match.Name;
    },
    revoke(name) {
      const devices = load();
      const index = findIndex(devices, name);
      if (index === -1) return false;
      const removed = devices[index];
      save(devices.filter((_, i) => i !== index));
      if (removed !== undefined) lastWritten.delete(removed.Name);
      return true;
    },
    count() {
      return load().length;
    },
  };
}

function toInfo(record: DeviceRecord): DeviceInfo {
  return {
    name: record.Name,
    isBootstrapDevice: record.IsBootstrapDevice,
    createdAt: record.CreatedAt,
    lastUsedAt: record.LastUsedAt,
  };
}

function hashToken(tokenBytes: Uint8Array, salt: Uint8Array): Buffer {
  return createHash("sha256").update(tokenBytes).update(salt).digest();
}

function decodeToken(token: unknown): Buffer | undefined {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_CHARS) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  return Buffer.from(token, "base64url");
}

/** Changes whenever the file is replaced or edited; "" when it does not exist. */
function fileSignature(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return "";
    throw new DeviceRegistryError({
      path,
      code: "devices_file_unreadable",
      message: `Cannot read the paired-device registry '${path}'. Run netclaw as the user that owns the netclaw home.`,
    });
  }
}

function parseDevicesFile(path: string): DeviceRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new DeviceRegistryError({
      path,
      code: "devices_file_unreadable",
      message: `Cannot read the paired-device registry '${path}'. Run netclaw as the user that owns the netclaw home.`,
    });
  }
  const fix = "Restore it from a backup or fix it by hand; deleting it unpairs every device.";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DeviceRegistryError({
      path,
      message: `The paired-device registry '${path}' is not valid JSON. ${fix}`,
    });
  }
  const result = devicesFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? "" : ` (at ${issue.path.join(".") || "top level"}: ${issue.message})`;
    throw new DeviceRegistryError({
      path,
      message: `The paired-device registry '${path}' is not a list of devices${where}. ${fix}`,
    });
  }
  return result.data;
}
