import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadHardDenyOverrides } from "../../config/hard-deny-overrides.ts";
import type { HomePaths } from "../../config/home.ts";
import type { NetclawConfig } from "../../config/schema.ts";
import { createGrantStore } from "../../config/tool-approvals.ts";
import { NetclawError } from "../../protocol/errors.ts";
import type { ApprovalOption } from "../../protocol/events.ts";
import type { Channel } from "../../protocol/sessions.ts";
import type { StoreLogger } from "../store/store-logger.ts";
import type { ToolStateRepository } from "../store/tool-state-repository.ts";
import { createBuiltinTools } from "../tools/index.ts";
import { createToolOperations } from "../tools/operations.ts";
import { type Audience, audienceForChannel, isUnattendedChannel } from "../tools/policy/audience.ts";
import { createToolPolicy } from "../tools/policy/evaluate.ts";
import type { SecretRedactor } from "../tools/policy/redaction.ts";
import type { Tool, ToolEffects } from "../tools/tool.ts";
import { createToolRunner, type ToolSession } from "../tools/tool-runner.ts";
import { blockDaemonApi } from "../tools/web-fetch.ts";
import type { ToolCallContext, ToolDispatcher, TurnPrincipal } from "./tool-dispatcher.ts";
import { SHUTDOWN_REASON } from "./turn-loop.ts";

/** A session and who its turn acts for: what a turn's audience and attendance depend on. */
export type TurnOf = {
  sessionId: string;
  channel: Channel;
  name: string | null;
  requester?: string | undefined;
};

type Pending = {
  sessionId: string;
  requester: string;
  options: ApprovalOption[];
  answer: (option: ApprovalOption) => void;
};

/**
 * The tools of this daemon, wired once: policy (posture, audiences, grants, hard deny), the
 * built-in tools and their runner, and the approval prompts that wait for their requester.
 * `createDispatcher` gives each session its own dispatcher (audience from the channel, working
 * directory, project instructions); `approvals.answer` is what the approvals route calls.
 * Throws ConfigError when `config/hard-deny-overrides.json` is malformed (the start stops).
 */
export function createSessionTools(options: {
  config: NetclawConfig;
  /** The daemon's known secrets (see daemon-secrets.ts), redacted from tool output and arguments. */
  secrets: () => SecretRedactor;
  paths: HomePaths;
  /** Pending approvals (the restart journal) and working directories. */
  journal: ToolStateRepository;
  logger: StoreLogger;
  /** Where the daemon's own API listens: web_fetch may not call it. */
  daemon: { host: string; port: number };
  /** The MCP servers' current tools (`<server>/<tool>`), read on every request. */
  mcpTools?: () => Iterable<Tool>;
  /** A turn's audience; the channel's by default (the composed features lower a reminder's turn). */
  audienceOf?: (turn: TurnOf) => Audience;
  /** Whether nobody can answer a prompt in a turn; unattended channels by default. */
  isUnattended?: (turn: TurnOf) => boolean;
}) {
  const { config, paths, journal, logger } = options;
  const policy = createToolPolicy({
    config,
    home: paths,
    grants: createGrantStore({ path: paths.approvalsFile }),
    daemonPid: process.pid,
    processNames: [...new Set([process.title, "netclawd"])],
    extraHardDenyPatterns: loadHardDenyOverrides(join(paths.configDir, "hard-deny-overrides.json")),
    audit: (entry) => {
      if (entry.outcome === "denied") logger.warn(entry, "Tool authorization evaluated");
      else logger.info(entry, "Tool authorization evaluated");
    },
  });
  const redactText = (text: string) => options.secrets().text(text);
  const runner = createToolRunner({
    tools: createBuiltinTools({ webFetch: { blockUrl: blockDaemonApi(options.daemon) } }),
    ...(options.mcpTools ? { moreTools: options.mcpTools } : {}),
    policy,
    ops: createToolOperations(),
    maxOutputChars: config.Tools.MaxOutputChars,
    timeoutSeconds: config.Session.ToolExecutionTimeoutSeconds,
    maxTimeoutSeconds: config.Tools.MaxToolTimeoutSeconds,
    redactText,
    audit: (entry) => logger.info(entry, "Tool executed"),
  });
  const pending = new Map<string, Pending>();
  const keyOf = (sessionId: string, callId: string) => `${sessionId}\u0000${callId}`;

  const audienceOf = options.audienceOf ?? ((turn: TurnOf) => audienceForChannel(turn.channel));
  const isUnattended = options.isUnattended ?? ((turn: TurnOf) => isUnattendedChannel(turn.channel));

  function createDispatcher(session: {
    sessionId: string;
    channel: Channel;
    name?: string | null;
  }): ToolDispatcher {
    const { sessionId } = session;
    const sessionDir = join(paths.sessionsDir, sessionId);
    mkdirSync(sessionDir, { recursive: true, mode: 0o700 });
    let project: ToolEffects["workingDirectory"] | undefined = journal.workingDirectory(sessionId);
    const state = (principal: TurnPrincipal = {}): ToolSession => {
      const turn: TurnOf = { sessionId, channel: session.channel, name: session.name ?? null, ...principal };
      return {
        sessionId,
        audience: audienceOf(turn),
        sessionDir,
        workingDirectory: project?.path ?? sessionDir,
        unattended: isUnattended(turn),
      };
    };
    const applyEffects = (effects: ToolEffects) => {
      if (effects.workingDirectory) {
        const { instructions, ...rest } = effects.workingDirectory;
        project = instructions === undefined ? rest : { ...rest, instructions: redactText(instructions) };
        journal.saveWorkingDirectory({ sessionId, directory: project, at: new Date().toISOString() });
      }
    };

    const waitForAnswer = (
      call: { id: string; name: string; arguments: unknown },
      context: ToolCallContext,
      request: { summary: string; options: ApprovalOption[] },
      onShutdown: () => void,
    ) =>
      new Promise<ApprovalOption>((resolve) => {
        const key = keyOf(sessionId, call.id);
        const requester = context.requester ?? "local";
        const { signal } = context;
        journal.save({
          sessionId,
          callId: call.id,
          toolName: call.name,
          // Redacted like the events: a secret the model typed is not kept on disk (a resumed call
          // then runs with the placeholder and fails visibly rather than leaking).
          argumentsJson: redactText(JSON.stringify(call.arguments ?? {})),
          requester,
          createdAt: new Date().toISOString(),
        });
        const finish = (option: ApprovalOption) => {
          pending.delete(key);
          signal.removeEventListener("abort", onAbort);
          resolve(option);
        };
        const onAbort = () => {
          // A shutdown keeps the journal row: the prompt is announced again after the restart.
          if (signal.reason === SHUTDOWN_REASON) onShutdown();
          else journal.remove({ sessionId, callId: call.id });
          finish("deny");
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        pending.set(key, {
          sessionId,
          requester,
          options: request.options,
          answer: (option) => {
            journal.remove({ sessionId, callId: call.id });
            context.resolveApproval?.(option);
            finish(option);
          },
        });
        context.requestApproval(request);
      });

    return {
      definitions: (turn) => runner.definitions(state(turn)),
      redactArguments: redactText,
      promptAddendum: () =>
        project
          ? [
              `# Working directory\n${project.path}`,
              project.instructions
                ? `# Project instructions (${project.instructionsFile ?? "project"})\n${project.instructions}`
                : "",
            ]
              .filter(Boolean)
              .join("\n\n")
          : undefined,
      supersedeApprovals: () => {
        for (const entry of [...pending.values()]) if (entry.sessionId === sessionId) entry.answer("deny");
      },
      resumable: () =>
        journal.list(sessionId).flatMap((row) => {
          try {
            const call = { id: row.callId, name: row.toolName, arguments: JSON.parse(row.argumentsJson) };
            return [{ call, requester: row.requester }];
          } catch {
            journal.remove({ sessionId, callId: row.callId });
            return [];
          }
        }),
      async dispatch(call, context) {
        let deferred = false;
        const outcome = await runner.run(call, {
          session: state({ requester: context.requester }),
          signal: context.signal,
          requestApproval: (request) =>
            waitForAnswer(call, context, request, () => {
              deferred = true;
            }),
        });
        if (deferred) return { result: "", isError: true, deferred: true };
        if (outcome.effects) applyEffects(outcome.effects);
        const attachment = outcome.effects?.attachment;
        return {
          result: outcome.result,
          isError: outcome.isError,
          ...(attachment ? { attachment } : {}),
          ...(outcome.denied ? { denied: outcome.denied } : {}),
        };
      },
    };
  }

  return {
    createDispatcher,
    approvals: {
      /**
       * Delivers the requester's answer to the waiting call. Throws NetclawError: 404 when no
       * call waits under that id, 403 for anyone but the requester, 400 for an option not offered.
       */
      answer(request: { sessionId: string; callId: string; requester: string; decision: ApprovalOption }) {
        const entry = pending.get(keyOf(request.sessionId, request.callId));
        if (!entry)
          throw new NetclawError(
            "approval_not_found",
            `No approval is pending for call '${request.callId}' in this session.`,
            { status: 404 },
          );
        if (entry.requester !== request.requester)
          throw new NetclawError(
            "approval_not_requester",
            "Only the requester of this turn (the client that sent its message) may answer this approval.",
            { status: 403 },
          );
        if (!entry.options.includes(request.decision))
          throw new NetclawError(
            "approval_option_not_offered",
            `"${request.decision}" was not offered for this call; choose one of: ${entry.options.join(", ")}.`,
            { status: 400 },
          );
        entry.answer(request.decision);
      },
    },
  };
}
