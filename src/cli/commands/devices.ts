import { createDeviceRegistry } from "../../config/device-registry.ts";
import { PAIR_DEVICES_PATH, type PairedDevice, pairedDevicesResponseSchema } from "../../protocol/pairing.ts";
import { DaemonResponseError, DaemonUnreachableError } from "../client.ts";
import { type CliContext, responseFix } from "../context.ts";
import { print, printError } from "../output.ts";

/**
 * `netclaw daemon devices`: the paired devices, from the daemon (authorized) or, when it is not
 * running, straight from config/devices.json. Never shows a token or hash.
 */
export async function devicesListCommand(context: CliContext): Promise<number> {
  let devices: PairedDevice[];
  let offline = false;
  try {
    devices = pairedDevicesResponseSchema.parse(await context.client().get(PAIR_DEVICES_PATH));
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) return reportFailure(context, error);
    devices = offlineRegistry(context).list();
    offline = true;
  }
  if (devices.length === 0) {
    print("No paired devices.");
    return 0;
  }
  const rows = devices.map((d) => [
    d.name,
    formatTime(d.createdAt),
    d.lastUsedAt ? formatTime(d.lastUsedAt) : "never",
    d.isBootstrapDevice ? "bootstrap (this host)" : "",
  ]);
  const header = ["NAME", "PAIRED", "LAST USED", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    print(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  if (offline) print(`(netclawd is not running; read from ${context.paths.devicesFile})`);
  return 0;
}

/**
 * `netclaw daemon devices revoke <name>`: through the daemon when it runs (the token is refused
 * at once), else by editing config/devices.json, which the daemon re-reads on its next request.
 */
export async function devicesRevokeCommand(context: CliContext, name: string): Promise<number> {
  try {
    await context.client().delete(`${PAIR_DEVICES_PATH}/${encodeURIComponent(name)}`);
    print(`Revoked device '${name}'. Its token is refused from now on.`);
    return 0;
  } catch (error) {
    if (!(error instanceof DaemonUnreachableError)) return reportFailure(context, error);
  }
  if (!offlineRegistry(context).revoke(name)) {
    printError(`Device '${name}' not found.`);
    return 1;
  }
  print(`Revoked device '${name}' in ${context.paths.devicesFile} (netclawd is not running).`);
  return 0;
}

function offlineRegistry(context: CliContext) {
  return createDeviceRegistry({ devicesPath: context.paths.devicesFile, now: Date.now });
}

function reportFailure(context: CliContext, error: unknown): number {
  printError(error instanceof DaemonResponseError ? error.message : `error: ${(error as Error).message}`);
  const fix = responseFix(context, error);
  if (fix) printError(`       fix: ${fix}`);
  return 1;
}

/** `yyyy-MM-dd HH:mm` in local time. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
