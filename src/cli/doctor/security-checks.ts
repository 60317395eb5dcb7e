import { hasCompletedBootstrap } from "../../config/bootstrap-state.ts";
import { createDeviceRegistry } from "../../config/device-registry.ts";
import { describeExposure, isExposureProblem } from "../../config/exposure.ts";
import { isProcessRunning, runExposureStartupChecks } from "../../config/exposure-checks.ts";
import { readJsonObject } from "../../config/loader.ts";
import { SecretUndecryptableError } from "../../config/secret-box.ts";
import { readSecrets } from "../../config/secrets-file.ts";
import type { CliContext } from "../context.ts";
import type { CheckLine } from "../output.ts";
import type { loadForDoctor } from "./checks.ts";

const REPAIR =
  "run `netclaw daemon pair` on this host, then `netclaw pair <endpoint>` here to pair this CLI again (see issue #875)";

/**
 * secrets.json parses, every `ENC:` value decrypts with keys/secrets.key, and no value is stored
 * in plaintext. Never prints a value — only dotted keys.
 */
export function secretsFileCheck(context: CliContext): CheckLine {
  const name = "Secrets File";
  const { secretsFile, secretsKey } = context.paths;
  try {
    readJsonObject(secretsFile);
    const { plaintextPaths } = readSecrets({ secretsPath: secretsFile, keyPath: secretsKey });
    if (plaintextPaths.length > 0) {
      return {
        name,
        severity: "warn",
        message: `${secretsFile} holds ${plaintextPaths.length} plaintext value(s): ${plaintextPaths.join(", ")}`,
        remediation: `re-enter each with \`netclaw secrets set <Key>\` (value on stdin), or run \`netclaw doctor --fix\` to encrypt them in place`,
      };
    }
    return { name, severity: "pass", message: `${secretsFile} parses and every value is encrypted` };
  } catch (error) {
    const e = error as Error & { remediation?: string };
    const remediation =
      error instanceof SecretUndecryptableError
        ? `restore ${secretsKey} from the backup that matches secrets.json, or re-enter the values with \`netclaw secrets set\``
        : (e.remediation ?? `fix ${secretsFile} by hand, or move it aside and re-enter each value`);
    return { name, severity: "fail", message: e.message, remediation };
  }
}

/**
 * The daemon's exposure validation run offline with the real paired-device count, what the mode
 * exposes, and the bootstrap/pairing mismatch states of reference/security.md §2.6.
 */
export function exposureChecks(context: CliContext, state: ReturnType<typeof loadForDoctor>): CheckLine[] {
  const name = "Exposure Mode";
  const config = state.loaded?.config;
  if (!config) return [{ name, severity: "info", message: "skipped: the configuration does not load" }];
  const registry = createDeviceRegistry({ devicesPath: context.paths.devicesFile, now: Date.now });
  let devices: number;
  try {
    devices = registry.count();
  } catch (error) {
    return [
      {
        name,
        severity: "fail",
        message: (error as Error).message,
        remediation: `repair ${context.paths.devicesFile}`,
      },
    ];
  }
  const completed = hasCompletedBootstrap(context.paths.bootstrapStateFile);
  const token = config.DeviceToken?.trim() || undefined;
  const result = runExposureStartupChecks({
    settings: config.Daemon,
    pairedDevices: () => devices,
    isProcessRunning,
  });
  if (isExposureProblem(result)) {
    if (result.code === "remote_auth_unavailable" && !completed && token === undefined) {
      // The first start will seed a device; the steps after the device count still apply.
      const later = runExposureStartupChecks({
        settings: config.Daemon,
        pairedDevices: () => 1,
        isProcessRunning,
      });
      if (isExposureProblem(later)) {
        return [{ name, severity: "fail", message: later.message, remediation: later.remediation }];
      }
      return [
        {
          name,
          severity: "info",
          message: `ExposureMode: ${config.Daemon.ExposureMode.trim().toLowerCase()}. No device is paired yet; the first start seeds a bootstrap device for this host's CLI.`,
        },
      ];
    }
    return [{ name, severity: "fail", message: result.message, remediation: result.remediation }];
  }
  const lines: CheckLine[] = [
    result.mode === "local"
      ? { name, severity: "pass", message: `ExposureMode: local (bound to ${config.Daemon.Host}).` }
      : { name, severity: "pass", message: `ExposureMode: ${result.mode}.` },
    {
      name: "Exposure",
      severity: "info",
      message: `${describeExposure(result.mode)}; ${devices} paired device(s)`,
    },
  ];
  if (
    result.mode !== "local" &&
    devices > 0 &&
    (token === undefined || registry.verify(token, { touch: false }) === null)
  ) {
    lines.push(
      completed
        ? {
            name: "Bootstrap Pairing",
            severity: "warn",
            message:
              "Local control-plane access is misconfigured: devices.json contains paired devices but the local DeviceToken does not match any registered device.",
            remediation: REPAIR,
          }
        : {
            name: "Bootstrap Pairing",
            severity: "fail",
            message:
              "Bootstrap pairing state is incomplete: devices.json exists but the local DeviceToken does not match any registered device.",
            remediation: REPAIR,
          },
    );
  }
  return lines;
}
