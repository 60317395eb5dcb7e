import type { FastifyReply, FastifyRequest } from "fastify";
import { isLoopbackHost } from "../../config/exposure.ts";
import { DAEMON_MISMATCH, DAEMON_PID_HEADER, EXPECT_HOME_HEADER } from "../../protocol/daemon-identity.ts";
import { NetclawError } from "../../protocol/errors.ts";

export type DaemonIdentity = {
  homeId: string;
  /** The home's absolute path: named in a refusal only to a trusted local caller. */
  home: string;
  pid: number;
  /** Local exposure mode: a loopback peer is the operator on this host (tunnels are not local). */
  trustLoopback: boolean;
};

/**
 * The `X-Netclaw-Home` check (protocol/daemon-identity.ts). `echo` runs first on every request:
 * a caller that names this home gets the id and pid back on whatever answer follows (a host-guard
 * or auth refusal included, so the CLI can tell "my daemon refused" from "not my daemon").
 * `refuse` runs after the host guard (so a DNS-rebinding page never reads the home path): a
 * request expecting another home is refused with 409 before auth and routing. Requests without
 * the header (curl, orchestrators, old CLIs) pass untouched.
 */
export function createIdentityGuard(identity: DaemonIdentity) {
  return {
    echo(request: FastifyRequest, reply: FastifyReply): void {
      if (request.headers[EXPECT_HOME_HEADER] !== identity.homeId) return;
      // On the raw response, so hijacked replies (the SSE stream writes its own head) carry them too.
      reply.raw.setHeader(EXPECT_HOME_HEADER, identity.homeId);
      reply.raw.setHeader(DAEMON_PID_HEADER, String(identity.pid));
    },
    refuse(request: FastifyRequest): void {
      const expected = request.headers[EXPECT_HOME_HEADER];
      if (expected === undefined || expected === identity.homeId) return;
      const peer = request.socket.remoteAddress ?? "";
      const local = identity.trustLoopback && isLoopbackHost(peer.replace(/^::ffff:/, ""));
      const which = local ? `the netclaw home ${identity.home}` : "another netclaw home";
      throw new NetclawError(
        DAEMON_MISMATCH,
        `This netclawd (pid ${identity.pid}) serves ${which}, not the one this request expects; nothing was done.`,
        { status: 409 },
      );
    },
  };
}
