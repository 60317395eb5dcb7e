import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureHome, homePaths } from "../../../config/home.ts";
import { configSchema, type NetclawConfig } from "../../../config/schema.ts";
import { createGrantStore } from "../../../config/tool-approvals.ts";
import { createBuiltinTools } from "../index.ts";
import { createToolPolicy, type ToolPolicyOptions } from "./evaluate.ts";

/** A real temp NETCLAW_HOME with a session directory and a policy over a parsed config. */
export function policyFixture(
  t: { after: (fn: () => void) => void },
  options: {
    config?: unknown;
    daemonPid?: number;
    processNames?: string[];
    extraHardDenyPatterns?: string[];
  } = {},
) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "netclaw-policy-")));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = homePaths(join(root, "home"));
  ensureHome(home);
  const userHome = join(root, "user");
  mkdirSync(userHome);
  const sessionDir = join(home.sessionsDir, "s1");
  mkdirSync(sessionDir, { recursive: true });
  const config: NetclawConfig | undefined =
    options.config === undefined ? undefined : configSchema.parse(options.config);
  const grants = createGrantStore({ path: home.approvalsFile });
  const audit: Parameters<NonNullable<ToolPolicyOptions["audit"]>>[0][] = [];
  const policy = createToolPolicy({
    config,
    home,
    grants,
    userHome,
    daemonPid: options.daemonPid,
    processNames: options.processNames,
    extraHardDenyPatterns: options.extraHardDenyPatterns,
    audit: (entry) => audit.push(entry),
  });
  const tools = createBuiltinTools();
  const tool = (name: string) => tools.get(name)!;
  const evaluate = (input: {
    tool: string;
    args: Record<string, unknown>;
    audience?: "Personal" | "Team" | "Public";
    cwd?: string;
    unattended?: boolean;
    sessionId?: string;
  }) =>
    policy.evaluateToolCall({
      tool: tool(input.tool),
      args: input.args,
      audience: input.audience ?? "Personal",
      sessionId: input.sessionId ?? "s1",
      sessionDir,
      workingDirectory: input.cwd ?? sessionDir,
      unattended: input.unattended ?? false,
    });
  return { root, home, userHome, sessionDir, grants, policy, tools, tool, evaluate, audit };
}

/** The config of a Personal deployment with the host shell on. */
export const PERSONAL = { Security: { DeploymentPosture: "Personal" } };
