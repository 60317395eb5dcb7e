import type { HealthStatus } from "../../protocol/health.ts";
import type { CheckLine } from "../output.ts";

/** Proposals waiting beyond this many mean they are not being applied. */
const BACKLOG_LIMIT = 100;

/** Long-term memory as the daemon reports it: item count and the proposal backlog. */
export function memoryCheck(status: HealthStatus | Error): CheckLine[] {
  if (status instanceof Error || !status.memory) return [];
  const { enabled, items, pendingProposals } = status.memory;
  if (!enabled) return [{ name: "Memory", severity: "pass", message: "disabled (Memory.Enabled is false)" }];
  if (pendingProposals > BACKLOG_LIMIT)
    return [
      {
        name: "Memory",
        severity: "warn",
        message: `${pendingProposals} memory proposals are waiting to be applied (${items} items stored)`,
        remediation:
          "Restart the daemon to apply them; if the number stays, check the daemon log for memory errors.",
      },
    ];
  return [
    { name: "Memory", severity: "pass", message: `${items} items, ${pendingProposals} proposals pending` },
  ];
}
