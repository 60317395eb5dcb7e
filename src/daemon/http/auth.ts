import { isLoopbackHost } from "../../config/exposure.ts";

/** Who is calling. `local` is the operator on the daemon host in local exposure mode. */
export type Principal = { kind: "local" } | { kind: "device"; deviceName: string; bootstrap: boolean };

/** Resolves a device token to its device; plugged in by the pairing module. */
export type DeviceTokenVerifier = (token: string) => { deviceName: string; bootstrap: boolean } | undefined;

export type AuthOptions = {
  /** Loopback callers are trusted only in local mode: tunnels and proxies arrive over loopback too. */
  trustLoopback: boolean;
  verifyDeviceToken?: DeviceTokenVerifier;
};

export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string };

const BEARER = /^bearer\s+(\S+)\s*$/i;

/**
 * The scheme selector of reference/security.md §3: an Authorization header means bearer auth
 * and nothing else (a bad token from loopback is refused even in local mode); without one, a
 * loopback peer is the operator only when `trustLoopback`. Tokens are read from the header only.
 */
export function createAuthenticator(options: AuthOptions) {
  return function authenticate(request: {
    headers: { authorization?: string };
    socketAddress: string | undefined;
  }): AuthResult {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = BEARER.exec(header);
      if (!match)
        return { ok: false, message: "Malformed Authorization header; expected 'Bearer <device token>'." };
      const device = options.verifyDeviceToken?.(match[1]!);
      if (!device) return { ok: false, message: "Invalid or revoked device token." };
      return { ok: true, principal: { kind: "device", ...device } };
    }
    if (
      options.trustLoopback &&
      request.socketAddress &&
      isLoopbackHost(stripMapped(request.socketAddress))
    ) {
      return { ok: true, principal: { kind: "local" } };
    }
    return {
      ok: false,
      message: options.trustLoopback
        ? "Authentication required: only local callers are trusted without a device token. Pair this device with `netclaw pair <endpoint>`."
        : "Authentication required: send 'Authorization: Bearer <device token>'. Pair this device with `netclaw pair <endpoint>`.",
    };
  };
}

function stripMapped(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
