/**
 * How a CLI makes sure it talks to the daemon it means (src/config/home-id.ts). The CLI sends the
 * id of the home it expects in `X-Netclaw-Home`; a daemon serving another home refuses the
 * request with 409 `daemon_mismatch` before routing, authenticating or reading its body, so a
 * prompt never reaches the wrong agent. A daemon that matches echoes its home id and pid in the
 * same headers; a caller that sends no expectation learns neither (the ready probe is anonymous).
 */
export const EXPECT_HOME_HEADER = "x-netclaw-home";
export const DAEMON_PID_HEADER = "x-netclaw-pid";

/** What a CLI whose home has no id yet expects: matches no daemon. */
export const NO_HOME_ID = "none";

export const DAEMON_MISMATCH = "daemon_mismatch";
