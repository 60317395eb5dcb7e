import type { DeviceRegistry } from "../../config/device-registry.ts";
import { generateDeviceToken } from "../../config/device-registry.ts";
import type { ExposureMode } from "../../config/exposure.ts";

export type BootstrapSeedOptions = {
  mode: ExposureMode;
  registry: DeviceRegistry;
  /** Whether config/bootstrap-state.json records a completed first non-local start. */
  completed: boolean;
  /** Whether the host already has a `DeviceToken` (secrets.json or environment). */
  hasDeviceToken: boolean;
  /** The host's name; the device is called `<hostname>-bootstrap`. */
  hostname: string;
  /** Stores the token encrypted as the root `DeviceToken` of the host's secrets.json. */
  storeDeviceToken: (token: string) => void;
  log: (message: string) => void;
};

/**
 * Exposure startup step 4 (reference/security.md §2.6): the first non-local start with no
 * completed bootstrap, no paired device and no `DeviceToken` pairs the host's own CLI, so the
 * operator is not locked out once loopback stops being trusted. The device is stored before the
 * token so a failure never leaves a token that matches nothing. Returns the seeded device name.
 * The token itself is never logged or returned.
 */
export function seedBootstrapDevice(options: BootstrapSeedOptions): string | undefined {
  if (options.mode === "local" || options.completed || options.hasDeviceToken) return undefined;
  if (options.registry.count() !== 0) return undefined;
  const name = `${options.hostname}-bootstrap`;
  const token = generateDeviceToken();
  options.registry.add({ name, isBootstrap: true, token });
  options.storeDeviceToken(token);
  options.log(`Seeded bootstrap paired device '${name}' for first non-local daemon start.`);
  return name;
}
